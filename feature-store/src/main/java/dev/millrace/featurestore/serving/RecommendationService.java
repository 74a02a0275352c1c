package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.RecommendationRecord;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers "what should user U see": the user's stored list, or for users the version does not know the popularity
 * list of the same version, marked as a fallback. The popularity list is immutable within a version, so the last
 * one read is kept in memory with its version.
 */
public final class RecommendationService {

    private final OnlineStore store;
    private final AtomicReference<Cached> popular = new AtomicReference<>();

    public RecommendationService(OnlineStore store) {
        this.store = store;
    }

    /** The top {@code k} for a user id (an entity key, as stored); only those k items are decoded. */
    public RecommendationAnswer recommend(String userId, int k) {
        Lookup hit = store.lookup(Keyspace.RECOMMENDATIONS, userId);
        if (hit.value() != null) {
            return new RecommendationAnswer(userId, hit.version(), false, RecommendationRecord.decode(hit.value(), k), k);
        }
        return new RecommendationAnswer(userId, hit.version(), true, popular(hit.version()), k);
    }

    private RecommendationRecord popular(long version) {
        Cached c = popular.get();
        if (c != null && c.version == version) {
            return c.record;
        }
        byte[] raw = store.get(version, Keyspace.POPULAR, Keyspace.POPULAR_KEY)
                .orElseThrow(() -> new OnlineStoreException("version " + version + " has no popularity list"));
        RecommendationRecord record = RecommendationRecord.decode(raw);
        popular.set(new Cached(version, record));
        return record;
    }

    private record Cached(long version, RecommendationRecord record) {
    }
}
