package dev.millrace.featurestore.publish;

/** How a Spark row becomes a store entry; each source table has one shape. */
enum RowKind {
    /** {@code gold.recommendations}: key user_id, value a {@link dev.millrace.featurestore.online.RecommendationRecord}. */
    RECOMMENDATIONS,
    /** Ranked popular items (one partition, best first): one entry, the whole list. */
    POPULAR,
    /** {@code (key STRING, json STRING)}: the latest feature row of one entity as compact JSON. */
    FEATURES
}
