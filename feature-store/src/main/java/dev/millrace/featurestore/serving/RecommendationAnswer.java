package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.RecommendationRecord;

/**
 * The answer for one user: the store version it came from, whether it is the popularity fallback, and the top
 * {@code k} of the stored list. Ids are JSON strings, as stored (MovieLens' user 7 is {@code "7"}).
 */
public record RecommendationAnswer(String userId, long version, boolean fallback, RecommendationRecord record, int k) {

    /** The response body. */
    public String toJson() {
        int n = Math.min(k, record.size());
        StringBuilder sb = new StringBuilder(128 + n * 48);
        sb.append("{\"user_id\":");
        Json.string(sb, userId).append(",\"version\":").append(version)
                .append(",\"fallback\":").append(fallback).append(",\"model_version\":");
        Json.string(sb, record.modelVersion()).append(",\"items\":[");
        String[] ids = record.itemIds();
        double[] scores = record.scores();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"item_id\":");
            Json.string(sb, ids[i]).append(",\"score\":");
            Json.number(sb, scores[i]).append('}');
        }
        return sb.append("]}").toString();
    }
}
