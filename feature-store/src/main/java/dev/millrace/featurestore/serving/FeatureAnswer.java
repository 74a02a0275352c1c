package dev.millrace.featurestore.serving;

/**
 * One entity's online features: the stored JSON object, the store version resolved for the request, and whether
 * the value came from the published version or a fresher overlay write.
 */
public record FeatureAnswer(String entity, String id, long version, String source, String featuresJson) {

    public String toJson() {
        StringBuilder sb = new StringBuilder(96 + featuresJson.length()).append("{\"entity\":");
        Json.string(sb, entity).append(",\"id\":");
        Json.string(sb, id).append(",\"version\":").append(version).append(",\"source\":");
        Json.string(sb, source).append(",\"features\":").append(featuresJson);
        return sb.append('}').toString();
    }
}
