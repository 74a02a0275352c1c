package dev.millrace.featurestore.definitions;

/**
 * A user-item context feature computed when a training row is assembled, from feature values already joined to that
 * row (for example the dot product of a user's genre affinity and an item's genres). {@code expression} is a Spark
 * SQL expression over the joined feature columns; it must use built-in functions only, so RAPIDS can run it.
 */
public record DerivedFeature(String name, String expression, String description) {
}
