package dev.millrace.featurestore.serving;

import java.util.SplittableRandom;

/**
 * One request of the soak's mix and the answer it must get: mostly valid recommendations and features (the answers
 * whose versions are checked), some for unknown users and ids, ids that break the key rule, bad {@code k} values,
 * {@code /health}, {@code /ready}, an unknown path and a wrong method.
 *
 * @param kind           what is asked, which decides how the answer is checked
 * @param method         GET, or POST for {@link Kind#WRONG_METHOD}
 * @param path           the request target, percent-encoded where it needs to be
 * @param id             the user or entity id asked for (empty when none)
 * @param k              the k asked for, or 0 when the request leaves it to the server's default
 * @param expectedStatus the status the server must answer
 * @param expectedError  the JSON error code a refusal must carry (empty for 2xx)
 */
record SoakRequest(Kind kind, String method, String path, String id, int k, int expectedStatus, String expectedError) {

    enum Kind {
        /** A user with a list in every version. */
        RECS_KNOWN,
        /** A user with a list in even versions only. */
        RECS_ALTERNATING,
        /** A user no version knows: the popularity fallback. */
        RECS_UNKNOWN,
        FEATURES_USER,
        FEATURES_ITEM,
        /** An id with no feature row: 404. */
        FEATURES_MISSING,
        /** An id that breaks the key rule (control character, too long, not UTF-8, white space): 400. */
        BAD_ID,
        /** A k out of range, not a number or given twice: 400. */
        BAD_K,
        HEALTH,
        READY,
        NO_ROUTE,
        WRONG_METHOD
    }

    /** The server's default k (ServingServerTest.settings). */
    static final int DEFAULT_K = 10;
    static final int MAX_K = 50;

    private static final String[] BAD_IDS = {"%00", "a%0Ab", "k".repeat(129), "%FF", "%C3%28", "%20a", "a%09",
            "%7F"};
    private static final String[] BAD_K = {"0", "51", "-1", "ten", "1e3", "1&k=2", "%FF", "9".repeat(12)};

    /** A request drawn from the mix (weights in percent). */
    static SoakRequest random(SplittableRandom random) {
        int roll = random.nextInt(100);
        if (roll < 36) {
            return recommendations(Kind.RECS_KNOWN, SoakPopulation.user(1 + random.nextInt(SoakPopulation.USERS)), random);
        }
        if (roll < 44) {
            return recommendations(Kind.RECS_ALTERNATING,
                    SoakPopulation.alternatingUser(1 + random.nextInt(SoakPopulation.ALTERNATING)), random);
        }
        if (roll < 50) {
            return recommendations(Kind.RECS_UNKNOWN, "nobody-" + random.nextInt(1_000_000), random);
        }
        if (roll < 66) {
            String id = SoakPopulation.user(1 + random.nextInt(SoakPopulation.USERS));
            return ok(Kind.FEATURES_USER, "/v1/features/user/" + id, id);
        }
        if (roll < 72) {
            String id = SoakPopulation.item(1 + random.nextInt(SoakPopulation.ITEMS));
            return ok(Kind.FEATURES_ITEM, "/v1/features/item/" + id, id);
        }
        if (roll < 76) {
            String id = "nobody-" + random.nextInt(1_000_000);
            return refused(Kind.FEATURES_MISSING, "GET", "/v1/features/user/" + id, 404, "not_found");
        }
        if (roll < 83) {
            String bad = BAD_IDS[random.nextInt(BAD_IDS.length)];
            String path = random.nextBoolean() ? "/v1/recommendations/" + bad : "/v1/features/user/" + bad;
            return refused(Kind.BAD_ID, "GET", path, 400, "bad_request");
        }
        if (roll < 90) {
            String user = SoakPopulation.user(1 + random.nextInt(SoakPopulation.USERS));
            return refused(Kind.BAD_K, "GET", "/v1/recommendations/" + user + "?k=" + BAD_K[random.nextInt(BAD_K.length)],
                    400, "bad_request");
        }
        if (roll < 94) {
            return ok(Kind.HEALTH, "/health", "");
        }
        if (roll < 98) {
            return ok(Kind.READY, "/ready", "");
        }
        if (roll < 99) {
            return refused(Kind.NO_ROUTE, "GET", "/v1/nothing/" + random.nextInt(100), 404, "not_found");
        }
        return refused(Kind.WRONG_METHOD, "POST", "/v1/recommendations/" + SoakPopulation.user(1), 405,
                "method_not_allowed");
    }

    private static SoakRequest recommendations(Kind kind, String user, SplittableRandom random) {
        // One in five leaves k to the server's default.
        int k = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(MAX_K);
        String path = "/v1/recommendations/" + user + (k == 0 ? "" : "?k=" + k);
        return new SoakRequest(kind, "GET", path, user, k, 200, "");
    }

    private static SoakRequest ok(Kind kind, String path, String id) {
        return new SoakRequest(kind, "GET", path, id, 0, 200, "");
    }

    private static SoakRequest refused(Kind kind, String method, String path, int status, String error) {
        return new SoakRequest(kind, method, path, "", 0, status, error);
    }

    /** The number of items a recommendations answer must hold. */
    int expectedItems(boolean fallback) {
        int asked = k == 0 ? DEFAULT_K : k;
        return Math.min(asked, fallback ? SoakPopulation.POPULAR : SoakPopulation.LIST);
    }
}
