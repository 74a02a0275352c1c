package dev.millrace.streaming.rerank;

import dev.millrace.featurestore.online.RecommendationRecord;

/**
 * A user's published candidates as the re-ranker uses them: item keys (strings, like every entity key) and their
 * published scores, best first. The one place that reads {@link RecommendationRecord}, so a change of the record
 * touches this class only.
 *
 * @param modelVersion the model version that produced the list
 * @param items        the candidates' item keys, in published order
 * @param scores       their published scores
 */
record PublishedList(String modelVersion, String[] items, double[] scores) {

    static PublishedList of(RecommendationRecord record) {
        return new PublishedList(record.modelVersion(), record.itemIds(), record.scores());
    }

    int size() {
        return items.length;
    }
}
