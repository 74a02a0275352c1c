package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.VersionWriter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The soak test's fixed population and what each store version holds for it. Every piece of an answer names the
 * version it was written in: item ids end in {@code @v<N>}, scores are {@code N * 1000 + points}, the model version is
 * {@code m<N>} and each feature row carries {@code soak_version: N} and a click count derived from N. So an answer
 * that mixes two versions, or whose {@code version} field disagrees with its content, shows it from its content alone.
 * Some users exist only in even versions, so whether an answer is the popularity fallback depends on the version too.
 */
final class SoakPopulation {

    /** Users {@code "1".."USERS"}, with a list in every version. */
    static final int USERS = 3000;
    /** Users {@code "alt-1".."alt-ALTERNATING"}, with a list in even versions only (the fallback in odd ones). */
    static final int ALTERNATING = 300;
    /** Items {@code "SKU-1".."SKU-ITEMS"}, with features in every version. */
    static final int ITEMS = 1000;
    /** Length of every user's list, below the server's max k (50) so that a large k shows the list's end. */
    static final int LIST = 30;
    /** Length of the popularity list. */
    static final int POPULAR = 20;
    static final String POPULARITY_MODEL = "popularity";
    static final String POPULAR_OWNER = "pop";
    static final String FEATURE_TS = "2025-01-01T00:00:00Z";

    private SoakPopulation() {
    }

    static String user(int n) {
        return Integer.toString(n);
    }

    static String alternatingUser(int n) {
        return "alt-" + n;
    }

    static String item(int n) {
        return "SKU-" + n;
    }

    /** Whether a version holds a list for the alternating users. */
    static boolean holdsAlternating(long version) {
        return version % 2 == 0;
    }

    /** The item at {@code rank} (0-based) of a list owned by a user (or {@link #POPULAR_OWNER}) in a version. */
    static String itemId(long version, String owner, int rank) {
        return owner + "#" + rank + "@v" + version;
    }

    /** The version an item id names, or -1 when it names none. */
    static long versionOfItem(String itemId) {
        int at = itemId.lastIndexOf("@v");
        if (at < 0) {
            return -1;
        }
        try {
            return Long.parseLong(itemId.substring(at + 2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Scores fall with rank and are whole numbers, exact through JSON; {@code score / 1000} is the version. */
    static double score(long version, int rank) {
        return version * 1000.0 + (LIST - rank);
    }

    static long versionOfScore(double score) {
        return (long) Math.floor(score / 1000.0);
    }

    static String modelVersion(long version) {
        return "m" + version;
    }

    /** The click count of an entity's feature row in a version (the id's hash keeps rows of one version apart). */
    static long clicks(long version, String id) {
        return version * 1_000_000L + Math.floorMod(id.hashCode(), 1_000_000);
    }

    static String featureRow(String idColumn, String id, long version) {
        return "{\"" + idColumn + "\":\"" + id + "\",\"feature_ts\":\"" + FEATURE_TS + "\",\"soak_version\":" + version
                + ",\"clicks\":" + clicks(version, id) + "}";
    }

    /** Writes the whole population for a version; returns the keys written per keyspace (to verify, as publish does). */
    static Map<Keyspace, Long> write(VersionWriter w, long version) {
        Map<Keyspace, Long> keys = new LinkedHashMap<>();
        for (int u = 1; u <= USERS; u++) {
            w.put(Keyspace.RECOMMENDATIONS, user(u), list(version, user(u), modelVersion(version), LIST).encode());
        }
        long recs = USERS;
        if (holdsAlternating(version)) {
            for (int u = 1; u <= ALTERNATING; u++) {
                w.put(Keyspace.RECOMMENDATIONS, alternatingUser(u),
                        list(version, alternatingUser(u), modelVersion(version), LIST).encode());
            }
            recs += ALTERNATING;
        }
        keys.put(Keyspace.RECOMMENDATIONS, recs);
        w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY, list(version, POPULAR_OWNER, POPULARITY_MODEL, POPULAR).encode());
        keys.put(Keyspace.POPULAR, 1L);
        for (int u = 1; u <= USERS; u++) {
            w.put(Keyspace.features("user"), user(u), utf8(featureRow("user_id", user(u), version)));
        }
        keys.put(Keyspace.features("user"), (long) USERS);
        for (int i = 1; i <= ITEMS; i++) {
            w.put(Keyspace.features("item"), item(i), utf8(featureRow("item_id", item(i), version)));
        }
        keys.put(Keyspace.features("item"), (long) ITEMS);
        return keys;
    }

    /** The list a version holds for a user (or {@link #POPULAR_OWNER}, model {@link #POPULARITY_MODEL}). */
    static RecommendationRecord list(long version, String owner, String model, int length) {
        String[] items = new String[length];
        double[] scores = new double[length];
        for (int r = 0; r < length; r++) {
            items[r] = itemId(version, owner, r);
            scores[r] = score(version, r);
        }
        return new RecommendationRecord(model, "soak-run-" + version, Instant.EPOCH, items, scores);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
