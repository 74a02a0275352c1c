package dev.millrace.udfs;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * How one model output becomes one typed column. Tensor outputs are read per row (the slice after the batch
 * dimension); the ONNX-ML kinds cover classic-ML exports (scikit-learn, LightGBM via onnxmltools): a label tensor
 * (int64 or string) and a sequence of maps of class probabilities (ZipMap), which DJL hands over as a
 * [batch, classes] float tensor.
 */
public enum OutputKind {
    /** The row's slice of a float tensor, as {@code array<float>}. */
    VECTOR(DataTypes.createArrayType(DataTypes.FloatType, false)),
    /** The first element of the row's slice of a float tensor, as {@code float} (regressors, rankers). */
    SCALAR(DataTypes.FloatType),
    /** The index of the largest element of the row's slice, as {@code int} (classifiers' predicted class). */
    ARGMAX(DataTypes.IntegerType),
    /** An int64 label tensor (ONNX-ML classifiers with integer classes), as {@code bigint}. */
    LABEL_LONG(DataTypes.LongType),
    /** A string label tensor (ONNX-ML classifiers with string classes), as {@code string}. */
    LABEL_STRING(DataTypes.StringType),
    /** A sequence of maps class -> probability (ONNX-ML ZipMap), as {@code array<float>} in the classes' order. */
    PROBABILITIES(DataTypes.createArrayType(DataTypes.FloatType, false));

    private final DataType sqlType;

    OutputKind(DataType sqlType) {
        this.sqlType = sqlType;
    }

    public DataType sqlType() {
        return sqlType;
    }

    boolean isArray() {
        return sqlType instanceof ArrayType;
    }
}
