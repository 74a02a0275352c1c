package dev.millrace.streaming.flink;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.core.events.EventJson;

import java.time.Instant;

/**
 * A user's real-time features after one event (a Flink POJO): interactions in the last 5 and 60 minutes of event
 * time, up to the user's latest event, and the last N items, newest first. {@link #toJson()} is the online-store
 * value the serving API returns under {@code /v1/features/<entity>/<user id>}; keys are JSON strings there.
 */
public class UserFeatures {
    /** The user's key. */
    public String userId;
    public int events5m;
    public int events60m;
    /** Item keys, newest first. */
    public String[] lastItems;
    /** Event time the windows end at (the user's latest event). */
    public long featureTsMillis;
    /** Kafka timestamp of the event that produced this value (for end-to-end latency). */
    public long sourceTimestamp;

    public UserFeatures() {
    }

    /** The JSON object stored in the online store; {@code feature_ts} is what the serving API orders values by. */
    public String toJson() {
        ObjectNode n = EventJson.mapper().createObjectNode();
        n.put("user_id", userId);
        n.put("events_5m", events5m);
        n.put("events_60m", events60m);
        ArrayNode items = n.putArray("last_items");
        for (String i : lastItems) {
            items.add(i);
        }
        n.put("feature_ts", Instant.ofEpochMilli(featureTsMillis).toString());
        return n.toString();
    }
}
