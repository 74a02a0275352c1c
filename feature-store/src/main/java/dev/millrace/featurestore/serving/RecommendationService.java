package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.BatchLookup;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.RecommendationRecord;

import java.util.ArrayList;
import java.util.List;
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
        return answer(userId, store.lookup(Keyspace.RECOMMENDATIONS, userId), k);
    }

    /**
     * The answers for many users, in the order given, every one from the same store version (one batch read; the
     * fallback list from that version too): each is what {@link #recommend} would answer for that user.
     */
    public List<RecommendationAnswer> recommendAll(List<String> userIds, int k) {
        BatchLookup hits = store.lookupAll(Keyspace.RECOMMENDATIONS, userIds);
        List<RecommendationAnswer> out = new ArrayList<>(userIds.size());
        for (int i = 0; i < userIds.size(); i++) {
            out.add(answer(userIds.get(i), hits.get(i), k));
        }
        return out;
    }

    private RecommendationAnswer answer(String userId, Lookup hit, int k) {
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
