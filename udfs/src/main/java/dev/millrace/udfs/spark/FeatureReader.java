package dev.millrace.udfs.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;

import java.io.Serializable;

/**
 * Copies one feature column of an internal row into a batch buffer, without building a {@code Row} or boxing: an
 * {@code array<float>} in Spark's binary format is copied with one memory copy; {@code array<double>} and ML
 * vectors (dense or sparse) element by element. Rejects a wrong length with a message naming the column.
 */
public final class FeatureReader implements Serializable {

    private enum Kind { FLOATS, DOUBLES, VECTOR }

    private final String column;
    private final int ordinal;
    private final int size;
    private final Kind kind;
    private final boolean containsNull;
    private final long header;

    private FeatureReader(String column, int ordinal, int size, Kind kind, boolean containsNull) {
        this.column = column;
        this.ordinal = ordinal;
        this.size = size;
        this.kind = kind;
        this.containsNull = containsNull;
        this.header = UnsafeArrayData.calculateHeaderPortionInBytes(size);
    }

    /** Whether a column of this type can feed a model input. */
    public static boolean supports(DataType type) {
        return type instanceof ArrayType a && (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType))
                || isVector(type);
    }

    /** By class name, so that a job without spark-mllib on its class path can still score array columns. */
    private static boolean isVector(DataType type) {
        return type.getClass().getName().equals("org.apache.spark.ml.linalg.VectorUDT");
    }

    public static String supportedTypes() {
        return "array<float>, array<double> or an ML vector";
    }

    public static FeatureReader of(String column, DataType type, int ordinal, int size) {
        if (isVector(type)) {
            return new FeatureReader(column, ordinal, size, Kind.VECTOR, false);
        }
        if (type instanceof ArrayType a) {
            Kind k = a.elementType().equals(DataTypes.FloatType) ? Kind.FLOATS : a.elementType().equals(DataTypes.DoubleType) ? Kind.DOUBLES : null;
            if (k != null) {
                return new FeatureReader(column, ordinal, size, k, a.containsNull());
            }
        }
        throw new IllegalArgumentException("column " + column + " has type " + type.simpleString() + "; expected " + supportedTypes());
    }

    public String column() {
        return column;
    }

    /**
     * Copies the row's features to {@code dest[offset, offset + size)}.
     *
     * @return false when the value is null, holds a null element or a NaN (the row is not to be scored)
     */
    public boolean read(InternalRow row, float[] dest, int offset) {
        if (kind == Kind.FLOATS && row instanceof UnsafeRow u) {
            return readUnsafe(u, dest, offset);
        }
        if (row.isNullAt(ordinal)) {
            return false;
        }
        switch (kind) {
            case FLOATS -> {
                ArrayData a = row.getArray(ordinal);
                checkLength(a.numElements());
                if (containsNull && hasNull(a)) {
                    return false;
                }
                if (a instanceof UnsafeArrayData u) {
                    long header = UnsafeArrayData.calculateHeaderPortionInBytes(size);
                    Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + header, dest,
                            Platform.FLOAT_ARRAY_OFFSET + 4L * offset, 4L * size);
                } else {
                    for (int i = 0; i < size; i++) {
                        dest[offset + i] = a.getFloat(i);
                    }
                }
            }
            case DOUBLES -> {
                ArrayData a = row.getArray(ordinal);
                checkLength(a.numElements());
                if (containsNull && hasNull(a)) {
                    return false;
                }
                for (int i = 0; i < size; i++) {
                    dest[offset + i] = (float) a.getDouble(i);
                }
            }
            case VECTOR -> {
                // VectorUDT's storage: struct<type: tinyint (0 sparse, 1 dense), size: int, indices: array<int>, values: array<double>>
                InternalRow v = row.getStruct(ordinal, 4);
                ArrayData values = v.getArray(3);
                if (v.getByte(0) == 1) {
                    checkLength(values.numElements());
                    for (int i = 0; i < size; i++) {
                        dest[offset + i] = (float) values.getDouble(i);
                    }
                } else {
                    checkLength(v.getInt(1));
                    java.util.Arrays.fill(dest, offset, offset + size, 0f);
                    ArrayData indices = v.getArray(2);
                    for (int i = 0; i < indices.numElements(); i++) {
                        dest[offset + indices.getInt(i)] = (float) values.getDouble(i);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        return noNaN(dest, offset);
    }

    /**
     * The common case, an {@code array<float>} in an unsafe row, read in place: the array's element count, null bits
     * and values are at the offset its slot holds; no array object is made.
     */
    private boolean readUnsafe(UnsafeRow u, float[] dest, int offset) {
        if (u.isNullAt(ordinal)) {
            return false;
        }
        Object base = u.getBaseObject();
        long slot = u.getBaseOffset() + UnsafeRow.calculateBitSetWidthInBytes(u.numFields()) + 8L * ordinal;
        long array = u.getBaseOffset() + (Platform.getLong(base, slot) >>> 32);
        long n = Platform.getLong(base, array);
        if (n != size) {
            checkLength((int) n);
        }
        if (containsNull) {
            for (long w = 8; w < header; w += 8) {
                if (Platform.getLong(base, array + w) != 0) {
                    return false;
                }
            }
        }
        Platform.copyMemory(base, array + header, dest, Platform.FLOAT_ARRAY_OFFSET + 4L * offset, 4L * size);
        return noNaN(dest, offset);
    }

    private boolean noNaN(float[] dest, int offset) {
        for (int i = offset, end = offset + size; i < end; i++) {
            if (Float.isNaN(dest[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean hasNull(ArrayData a) {
        if (a instanceof UnsafeArrayData u) {
            // The null bits follow the 8-byte element count: test them a word at a time instead of per element.
            long words = (UnsafeArrayData.calculateHeaderPortionInBytes(size) - 8) / 8;
            for (long w = 0; w < words; w++) {
                if (Platform.getLong(u.getBaseObject(), u.getBaseOffset() + 8 + 8 * w) != 0) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (a.isNullAt(i)) {
                return true;
            }
        }
        return false;
    }

    private void checkLength(int n) {
        if (n != size) {
            throw new IllegalArgumentException("column " + column + " holds a vector of length " + n + " but the model expects " + size);
        }
    }
}
