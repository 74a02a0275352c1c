package dev.millrace.udfs.runtime;

/**
 * One batch of model input: per model input (in the model reference's input order) a flat row-major float buffer
 * of capacity rows, of which the first {@link #rows()} are filled. Buffers are reused batch after batch.
 */
public final class FeatureBatch {

    private final float[][] data;
    private final int[] rowSizes;
    private int rows;

    public FeatureBatch(int capacity, int[] rowSizes) {
        this.rowSizes = rowSizes.clone();
        this.data = new float[rowSizes.length][];
        for (int i = 0; i < rowSizes.length; i++) {
            data[i] = new float[Math.multiplyExact(capacity, rowSizes[i])];
        }
    }

    /** The buffer of input {@code i}; row r starts at {@code r * rowSize(i)}. */
    public float[] buffer(int i) {
        return data[i];
    }

    public int rowSize(int i) {
        return rowSizes[i];
    }

    public int inputs() {
        return data.length;
    }

    public int rows() {
        return rows;
    }

    public void setRows(int rows) {
        this.rows = rows;
    }
}
