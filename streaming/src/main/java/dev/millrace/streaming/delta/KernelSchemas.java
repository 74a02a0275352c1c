package dev.millrace.streaming.delta;

import dev.millrace.core.tables.Column;
import dev.millrace.core.tables.TableContract;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;

/**
 * The Delta Kernel side of core's {@link TableContract}: one mapping from the engine-neutral column types to Kernel's,
 * the counterpart of core's Spark adapter ({@code dev.millrace.core.spark.SparkSchemas}), so both streaming jobs write
 * a table from the same column list.
 */
public final class KernelSchemas {

    private KernelSchemas() {
    }

    /** The table's columns, in order, as a Kernel schema. */
    public static StructType of(TableContract table) {
        StructType s = new StructType();
        for (Column c : table.columns()) {
            s = s.add(c.name(), type(c), c.nullable());
        }
        return s;
    }

    public static DataType type(Column c) {
        return switch (c.type()) {
            case STRING -> StringType.STRING;
            case INT -> IntegerType.INTEGER;
            case LONG -> LongType.LONG;
            case FLOAT -> FloatType.FLOAT;
            case DOUBLE -> DoubleType.DOUBLE;
            case TIMESTAMP -> TimestampType.TIMESTAMP;
            case DATE -> DateType.DATE;
        };
    }
}
