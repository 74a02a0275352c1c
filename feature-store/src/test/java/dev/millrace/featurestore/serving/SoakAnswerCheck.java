package dev.millrace.featurestore.serving;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checks one answer of the soak: the status the request must get, a JSON body (refusals as
 * {@code {"error":..,"message":..}} with the expected code), and for a 2xx answer its content against the
 * {@link SoakPopulation}: one version throughout (the {@code version} field, item ids, scores, model version, feature
 * rows), the one the population holds for that version, and a version inside the window the request ran in (not older
 * than the last flip before it was sent, not newer than the last version announced when its answer arrived).
 */
final class SoakAnswerCheck {

    /** What is wrong with an answer; the order is that of the summary. */
    enum Problem {
        SERVER_ERROR("5xx"),
        NOT_JSON("non-JSON"),
        MIXED_VERSIONS("mixed versions"),
        VERSION_OUT_OF_WINDOW("version out of window"),
        WRONG_ANSWER("wrong answer"),
        NO_ANSWER("no answer");

        final String label;

        Problem(String label) {
            this.label = label;
        }
    }

    record Finding(Problem problem, String detail) {
    }

    /** The version a 2xx answer came from (-1 for answers that carry none) and what is wrong with it, if anything. */
    record Result(long version, Optional<Finding> finding) {
    }

    /** Strict: a valid object followed by anything else is not a JSON body. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SoakAnswerCheck() {
    }

    /**
     * Checks one answer to a request of the mix.
     *
     * @param floor   the newest version flipped before the request was sent
     * @param ceiling the newest version announced once the answer had arrived
     * @return the answer's version and the first problem found (empty for a good answer)
     */
    static Result check(SoakRequest request, int status, String contentType, String body, long floor, long ceiling) {
        JsonNode node = parse(body);
        boolean versioned = status == 200 && node != null && node.path("version").isIntegralNumber();
        return new Result(versioned ? node.get("version").asLong() : -1,
                problem(request, status, contentType, body, node, floor, ceiling));
    }

    private static Optional<Finding> problem(SoakRequest request, int status, String contentType, String body,
                                             JsonNode node, long floor, long ceiling) {
        String what = request.method() + " " + request.path() + " -> " + status + " " + clip(body);
        if (status >= 500) {
            return finding(Problem.SERVER_ERROR, what);
        }
        if (!contentType.startsWith("application/json")) {
            return finding(Problem.NOT_JSON, what + " (content-type '" + contentType + "')");
        }
        if (node == null || !node.isObject()) {
            return finding(Problem.NOT_JSON, what + " (not a JSON object)");
        }
        if (status != request.expectedStatus()) {
            return finding(Problem.WRONG_ANSWER, what + " (expected " + request.expectedStatus() + ")");
        }
        if (status != 200) {
            boolean ok = node.path("error").asText("").equals(request.expectedError()) && node.path("message").isTextual();
            return ok ? Optional.empty()
                    : finding(Problem.WRONG_ANSWER, what + " (expected error '" + request.expectedError() + "')");
        }
        return switch (request.kind()) {
            case RECS_KNOWN, RECS_ALTERNATING, RECS_UNKNOWN -> recommendations(request, node, floor, ceiling, what);
            case FEATURES_USER, FEATURES_ITEM -> features(request, node, floor, ceiling, what);
            case READY -> ready(node, floor, ceiling, what);
            case HEALTH -> node.path("status").asText("").equals("ok") ? Optional.empty()
                    : finding(Problem.WRONG_ANSWER, what);
            default -> finding(Problem.WRONG_ANSWER, what + " (a 2xx to a request that must be refused)");
        };
    }

    private static Optional<Finding> recommendations(SoakRequest request, JsonNode node, long floor, long ceiling,
                                                     String what) {
        long version = node.path("version").asLong(-1);
        boolean fallback = node.path("fallback").asBoolean(false);
        String model = node.path("model_version").asText("");
        JsonNode items = node.path("items");
        // Every version the content names, with the version field's: more than one is a mixed answer.
        TreeSet<Long> named = new TreeSet<>();
        named.add(version);
        if (!fallback) {
            named.add(model.startsWith("m") ? number(model.substring(1)) : -1);
        }
        for (JsonNode item : items) {
            named.add(SoakPopulation.versionOfItem(item.path("item_id").asText("")));
            named.add(SoakPopulation.versionOfScore(item.path("score").asDouble(-1)));
        }
        if (named.size() > 1) {
            return finding(Problem.MIXED_VERSIONS, what + " (versions " + named + ")");
        }
        if (version < floor || version > ceiling) {
            return finding(Problem.VERSION_OUT_OF_WINDOW, what + " (version " + version + ", window " + floor + ".."
                    + ceiling + ")");
        }
        boolean expectFallback = switch (request.kind()) {
            case RECS_UNKNOWN -> true;
            case RECS_ALTERNATING -> !SoakPopulation.holdsAlternating(version);
            default -> false;
        };
        if (fallback != expectFallback || !node.path("user_id").asText("").equals(request.id())
                || !model.equals(fallback ? SoakPopulation.POPULARITY_MODEL : SoakPopulation.modelVersion(version))) {
            return finding(Problem.WRONG_ANSWER, what + " (expected fallback " + expectFallback + ")");
        }
        String owner = fallback ? SoakPopulation.POPULAR_OWNER : request.id();
        int expected = request.expectedItems(fallback);
        if (!items.isArray() || items.size() != expected) {
            return finding(Problem.WRONG_ANSWER, what + " (expected " + expected + " items)");
        }
        for (int r = 0; r < expected; r++) {
            JsonNode item = items.get(r);
            if (!item.path("item_id").asText("").equals(SoakPopulation.itemId(version, owner, r))
                    || item.path("score").asDouble(-1) != SoakPopulation.score(version, r)) {
                return finding(Problem.WRONG_ANSWER, what + " (item " + r + ")");
            }
        }
        return Optional.empty();
    }

    private static Optional<Finding> features(SoakRequest request, JsonNode node, long floor, long ceiling,
                                              String what) {
        long version = node.path("version").asLong(-1);
        JsonNode row = node.path("features");
        long rowVersion = row.path("soak_version").asLong(-1);
        if (rowVersion != version) {
            return finding(Problem.MIXED_VERSIONS, what + " (version " + version + ", row of version " + rowVersion + ")");
        }
        if (version < floor || version > ceiling) {
            return finding(Problem.VERSION_OUT_OF_WINDOW, what + " (version " + version + ", window " + floor + ".."
                    + ceiling + ")");
        }
        boolean user = request.kind() == SoakRequest.Kind.FEATURES_USER;
        String idColumn = user ? "user_id" : "item_id";
        boolean ok = node.path("entity").asText("").equals(user ? "user" : "item")
                && node.path("id").asText("").equals(request.id())
                && node.path("source").asText("").equals("published")
                && row.path(idColumn).asText("").equals(request.id())
                && row.path("clicks").asLong(-1) == SoakPopulation.clicks(version, request.id());
        return ok ? Optional.empty() : finding(Problem.WRONG_ANSWER, what);
    }

    private static Optional<Finding> ready(JsonNode node, long floor, long ceiling, String what) {
        long version = node.path("version").asLong(-1);
        if (version < floor || version > ceiling) {
            return finding(Problem.VERSION_OUT_OF_WINDOW, what + " (window " + floor + ".." + ceiling + ")");
        }
        // Every version begun is flipped, in order: the previous one is always the one before.
        boolean ok = node.path("ready").asBoolean(false) && node.path("previous").asLong(-1) == version - 1;
        return ok ? Optional.empty() : finding(Problem.WRONG_ANSWER, what);
    }

    /** The body as JSON, or null when it is not JSON at all. */
    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<Finding> finding(Problem problem, String detail) {
        return Optional.of(new Finding(problem, detail));
    }

    private static String clip(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}
