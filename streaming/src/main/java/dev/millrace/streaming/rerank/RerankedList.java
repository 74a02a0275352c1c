package dev.millrace.streaming.rerank;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.core.events.EventJson;

import java.time.Instant;

/** A user's published candidates re-ordered by the streaming ranker (a Flink POJO), best first. */
public class RerankedList {
    /** The user's key. */
    public String userId;
    /** Item keys, best first. */
    public String[] items;
    public float[] scores;
    public String model;
    public String publishedModelVersion;
    public long featureTsMillis;

    public RerankedList() {
    }

    /** The online-store value under {@code feat.<entity>}; {@code feature_ts} orders it against published values. */
    public String toJson() {
        ObjectNode n = EventJson.mapper().createObjectNode();
        n.put("user_id", userId);
        ArrayNode i = n.putArray("items");
        ArrayNode s = n.putArray("scores");
        for (int k = 0; k < items.length; k++) {
            i.add(items[k]);
            s.add(scores[k]);
        }
        n.put("model", model);
        n.put("candidates_from", publishedModelVersion);
        n.put("feature_ts", Instant.ofEpochMilli(featureTsMillis).toString());
        return n.toString();
    }
}
