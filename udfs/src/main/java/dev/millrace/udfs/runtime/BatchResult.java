package dev.millrace.udfs.runtime;

/**
 * The outputs of one batch, copied out of native memory: per output spec a float[], long[] or String[] holding
 * {@code width(j)} values per row, row-major.
 */
public record BatchResult(Object[] values, int[] widths, int rows) {

    public float[] floats(int j) {
        return (float[]) values[j];
    }

    public long[] longs(int j) {
        return (long[]) values[j];
    }

    public String[] strings(int j) {
        return (String[]) values[j];
    }

    public int width(int j) {
        return widths[j];
    }
}
