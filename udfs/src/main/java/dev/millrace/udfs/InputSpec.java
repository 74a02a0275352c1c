package dev.millrace.udfs;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One model input fed by one column: the column ({@code array<float>}, {@code array<double>} or an ML vector), the
 * model's input name (null: by position) and the per-row shape without the batch dimension (null: taken from the
 * ONNX model's declared input shape). The column's length must equal the product of the shape.
 *
 * @param column the Dataset column (for the SQL function: the argument's position, named in messages)
 * @param tensor the model input's name, or null to feed inputs in the model's order
 * @param rowShape per-row shape without the batch dimension, or null to take it from the model
 */
public record InputSpec(String column, String tensor, long[] rowShape) implements Serializable {

    public InputSpec {
        Objects.requireNonNull(column, "column");
        rowShape = rowShape == null ? null : rowShape.clone();
    }

    public static InputSpec of(String column) {
        return new InputSpec(column, null, null);
    }

    public static InputSpec of(String column, String tensor, long... rowShape) {
        return new InputSpec(column, tensor, rowShape.length == 0 ? null : rowShape);
    }

    @Override
    public long[] rowShape() {
        return rowShape == null ? null : rowShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec s && column.equals(s.column) && Objects.equals(tensor, s.tensor)
                && Arrays.equals(rowShape, s.rowShape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(column, tensor, Arrays.hashCode(rowShape));
    }

    @Override
    public String toString() {
        return column + "->" + (tensor == null ? "#" : tensor) + (rowShape == null ? "" : Arrays.toString(rowShape));
    }
}
