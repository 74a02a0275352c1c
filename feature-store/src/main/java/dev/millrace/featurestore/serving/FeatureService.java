package dev.millrace.featurestore.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.online.BatchLookup;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Online features of one entity: the value published in the current version, or an unexpired overlay value written
 * since (the streaming job's), whichever has the later {@code feature_ts}. Overlay writes go through
 * {@link #overlay(String, String, String)}, which stamps them with the configured TTL. Before the first publish only
 * overlay values exist, and they are served as such.
 */
public final class FeatureService {

    static final String FEATURE_TS = FeatureTables.FEATURE_TS;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OnlineStore store;
    private final Duration ttl;

    public FeatureService(OnlineStore store, Duration ttl) {
        this.store = store;
        this.ttl = ttl;
    }

    public Optional<FeatureAnswer> features(String entity, String id) {
        Keyspace ks = Keyspace.features(entity);
        Optional<byte[]> overlay = store.getOverlay(ks, id);
        Lookup published;
        try {
            published = store.lookup(ks, id);
        } catch (NoCurrentVersionException e) {
            // Streaming features may arrive before the first batch publish: serve them, marked as version 0.
            if (overlay.isPresent()) {
                return Optional.of(new FeatureAnswer(entity, id, 0, "overlay", text(overlay.get())));
            }
            throw e;
        }
        return answer(entity, id, overlay.orElse(null), published);
    }

    /**
     * Features of many ids of one entity, in the order given, each what {@link #features} would answer for it, the
     * published values all from one store version (one batch read). Before the first publish the ids with an overlay
     * value get it (version 0) and the others none, with {@link FeatureBatch#published()} false; with no overlay value
     * either, it throws {@link NoCurrentVersionException} as {@link #features} does.
     */
    public FeatureBatch featuresAll(String entity, List<String> ids) {
        Keyspace ks = Keyspace.features(entity);
        List<byte[]> overlays = store.getOverlays(ks, ids);
        List<Optional<FeatureAnswer>> out = new ArrayList<>(ids.size());
        BatchLookup published;
        try {
            published = store.lookupAll(ks, ids);
        } catch (NoCurrentVersionException e) {
            if (overlays.stream().allMatch(Objects::isNull)) {
                throw e;
            }
            for (int i = 0; i < ids.size(); i++) {
                byte[] o = overlays.get(i);
                out.add(o == null ? Optional.empty() : Optional.of(new FeatureAnswer(entity, ids.get(i), 0, "overlay", text(o))));
            }
            return new FeatureBatch(0, false, out);
        }
        for (int i = 0; i < ids.size(); i++) {
            out.add(answer(entity, ids.get(i), overlays.get(i), published.get(i)));
        }
        return new FeatureBatch(published.version(), true, out);
    }

    /**
     * The answers of a batch, in request order (empty where there is none for that id).
     *
     * @param version   the store version every answer was resolved against (0 before the first publish)
     * @param published false before the first publish: an id without an answer is then "not ready", not "not found"
     */
    public record FeatureBatch(long version, boolean published, List<Optional<FeatureAnswer>> answers) {
    }

    private static Optional<FeatureAnswer> answer(String entity, String id, byte[] overlay, Lookup published) {
        if (overlay != null && (published.value() == null || newer(overlay, published.value()))) {
            return Optional.of(new FeatureAnswer(entity, id, published.version(), "overlay", text(overlay)));
        }
        return published.found().map(v -> new FeatureAnswer(entity, id, published.version(), "published", text(v)));
    }

    /**
     * Writes fresh features for one entity over the published version; they expire after the configured TTL.
     *
     * @param json a JSON object that carries {@code feature_ts} (ISO-8601), like the published rows
     */
    public void overlay(String entity, String id, String json) {
        JsonNode node = parse(json.getBytes(StandardCharsets.UTF_8));
        if (!node.isObject() || timestamp(node) == null) {
            throw new IllegalArgumentException("overlay features must be a JSON object with an ISO-8601 feature_ts");
        }
        store.putOverlay(Keyspace.features(entity), id, node.toString().getBytes(StandardCharsets.UTF_8), ttl);
    }

    private static boolean newer(byte[] overlay, byte[] published) {
        Instant o = timestamp(parse(overlay));
        Instant p = timestamp(parse(published));
        return o != null && (p == null || !o.isBefore(p));
    }

    private static Instant timestamp(JsonNode node) {
        JsonNode ts = node.get(FEATURE_TS);
        if (ts == null || !ts.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(ts.asText());
        } catch (DateTimeParseException e) {
            try {
                // Spark's to_json writes offsets like +00:00 or no zone letter variants.
                return java.time.OffsetDateTime.parse(ts.asText()).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("stored features are not valid JSON", e);
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
