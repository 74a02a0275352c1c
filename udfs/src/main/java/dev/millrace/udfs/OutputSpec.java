package dev.millrace.udfs;

import java.io.Serializable;
import java.util.Objects;

/**
 * One model output appended as one typed column.
 *
 * @param tensor the model output's name (ONNX), or "#i" / null for the i-th output (PyTorch outputs have no names;
 *               null means the output at this spec's position)
 * @param column the name of the column to append
 * @param kind   how the output becomes a column, which also fixes the column's type
 */
public record OutputSpec(String tensor, String column, OutputKind kind) implements Serializable {

    public OutputSpec {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(kind, "kind");
    }

    public static OutputSpec of(String tensor, String column, OutputKind kind) {
        return new OutputSpec(tensor, column, kind);
    }
}
