package dev.millrace.featurestore.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON body of a batch route, checked: {@code {"ids": [...]}} plus the options the GET route takes in its query
 * ({@code "k"} for recommendations, none for features). Every id follows the GET routes' rules ({@link RequestRules}),
 * written as a plain JSON string (no percent-encoding: {@code "acct/7340-RED"}); ids may not repeat, and there are
 * 1 to {@code max-ids} of them. Anything else is a 400 naming the problem; too many ids a 413.
 */
record BatchRequest(List<String> ids, int k) {

    /** Strict JSON: a repeated field or anything after the object is an error, not silently resolved. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Recommendations: {@code ids} and an optional {@code k} (the GET route's query parameter). */
    static BatchRequest recommendations(byte[] body, ServingSettings settings) {
        JsonNode root = object(body, Set.of("ids", "k"));
        List<String> ids = ids(root, settings.batch().maxIds());
        JsonNode k = root.get("k");
        if (k == null) {
            return new BatchRequest(ids, settings.defaultK());
        }
        if (!k.isIntegralNumber()) {
            throw RequestRules.notAnIntegerK(k.isTextual() ? "\"" + k.asText() + "\"" : k.toString(), settings.maxK());
        }
        long value = k.canConvertToLong() ? k.asLong() : (k.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
        return new BatchRequest(ids, RequestRules.k(value, settings.maxK()));
    }

    /** Features: {@code ids} alone (the GET route takes no query parameters); k is unused (0). */
    static BatchRequest features(byte[] body, ServingSettings settings) {
        return new BatchRequest(ids(object(body, Set.of("ids")), settings.batch().maxIds()), 0);
    }

    private static JsonNode object(byte[] body, Set<String> fields) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw HttpError.badRequest("the body is not valid JSON" + where + ": " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw HttpError.badRequest("the body cannot be read as JSON: " + clip(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw HttpError.badRequest("the body is empty; expected a JSON object like {\"ids\": [\"u1\", \"u2\"]}");
        }
        if (!root.isObject()) {
            throw HttpError.badRequest("the body must be a JSON object like {\"ids\": [\"u1\", \"u2\"]}, got " + type(root));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw HttpError.badRequest("unknown field '" + PercentDecoding.clip(name) + "' (accepted: "
                        + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
        return root;
    }

    private static List<String> ids(JsonNode root, int maxIds) {
        JsonNode ids = root.get("ids");
        if (ids == null) {
            throw HttpError.badRequest("the body has no \"ids\" (an array of 1 to " + maxIds + " id strings)");
        }
        if (!ids.isArray()) {
            throw HttpError.badRequest("\"ids\" must be an array of id strings, got " + type(ids));
        }
        if (ids.isEmpty()) {
            throw HttpError.badRequest("\"ids\" is empty (a batch holds 1 to " + maxIds + " ids)");
        }
        if (ids.size() > maxIds) {
            throw new HttpError(413, "payload_too_large", "a batch holds at most " + maxIds + " ids, got " + ids.size()
                    + " (millrace.serving.batch.max-ids); split the request");
        }
        List<String> out = new ArrayList<>(ids.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            String what = "ids[" + i + "]";
            if (!id.isTextual()) {
                throw HttpError.badRequest(what + " must be a string, got " + type(id) + " (ids are JSON strings: \"7\", not 7)");
            }
            String key = RequestRules.key(what, id.textValue(), "");
            Integer before = seen.putIfAbsent(key, i);
            if (before != null) {
                throw HttpError.badRequest(what + " '" + PercentDecoding.clip(key) + "' repeats ids[" + before
                        + "] (each id at most once per batch)");
            }
            out.add(key);
        }
        return out;
    }

    private static String type(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
