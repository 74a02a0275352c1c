package dev.millrace.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;

/** Field names of the event JSON and its writer; one {@link ObjectMapper} per JVM (it is thread-safe). */
public final class EventJson {

    public static final String EVENT_ID = "event_id";
    public static final String USER_ID = "user_id";
    public static final String ITEM_ID = "item_id";
    public static final String EVENT_TYPE = "event_type";
    public static final String RATING = "rating";
    public static final String EVENT_TIME = "event_time";

    static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    /** The shared mapper, for callers that build or parse related JSON (such as DLQ records). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The event as a JSON object (event_time as an ISO-8601 instant; rating omitted when null). */
    public static ObjectNode tree(Event e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put(EVENT_ID, e.eventId());
        n.put(USER_ID, e.userId());
        n.put(ITEM_ID, e.itemId());
        n.put(EVENT_TYPE, e.eventType().code());
        if (e.rating() != null) {
            n.put(RATING, e.rating());
        }
        n.put(EVENT_TIME, e.eventTime().toString());
        return n;
    }

    /** The event's JSON text. */
    public static String write(Event e) {
        try {
            return MAPPER.writeValueAsString(tree(e));
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
