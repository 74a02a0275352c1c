package dev.millrace.udfs.registry;

/**
 * One element of a ranker's input vector, in order: where its raw value comes from ({@code column}, and
 * {@code index} for an element of an array column, -1 for a scalar) and how it is standardised ({@code (value -
 * mean) / std}, a missing value becoming 0, the mean). Batch scoring and the streaming side both rebuild inputs
 * from this list, so it is saved with every model version.
 */
public record FeatureSpec(String name, String column, int index, double mean, double std) {

    public FeatureSpec {
        if (name == null || name.isBlank() || column == null || column.isBlank()) {
            throw new IllegalArgumentException("a feature needs a name and a column");
        }
        if (!(std > 0) || Double.isNaN(mean)) {
            throw new IllegalArgumentException("feature " + name + ": std must be > 0 and mean a number");
        }
    }

    /** Whether the value is an element of an array column. */
    public boolean element() {
        return index >= 0;
    }

    /** The standardised value of a raw one; null or NaN count as missing (0 after standardising). */
    public float standardize(Double raw) {
        if (raw == null || raw.isNaN()) {
            return 0f;
        }
        return (float) ((raw - mean) / std);
    }
}
