package dev.millrace.streaming.flink;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Writes each user's latest features to the online store as overlay values with a TTL (feature-store's
 * {@link OnlineStore#putOverlay}), where the serving API reads them. Writes are idempotent overwrites of state-derived
 * values, so a replay after a restore rewrites the same values: at-least-once delivery gives the exact end state.
 */
public final class OnlineFeatureSink implements Sink<UserFeatures> {

    private static final long serialVersionUID = 1L;

    private final StoreSettings store;
    private final String entity;
    private final Duration ttl;
    private final FeatureWriteListener listener;

    public OnlineFeatureSink(StoreSettings store, String entity, Duration ttl, FeatureWriteListener listener) {
        Keyspace.features(entity); // fails early on a bad entity name
        this.store = store;
        this.entity = entity;
        this.ttl = ttl;
        this.listener = listener;
    }

    @Override
    public SinkWriter<UserFeatures> createWriter(WriterInitContext context) {
        return new Writer(OnlineStores.open(store), Keyspace.features(entity), ttl, listener,
                context.metricGroup().counter("onlineFeatureWrites"));
    }

    private static final class Writer implements SinkWriter<UserFeatures> {
        private final OnlineStore store;
        private final Keyspace keyspace;
        private final Duration ttl;
        private final FeatureWriteListener listener;
        private final Counter writes;

        Writer(OnlineStore store, Keyspace keyspace, Duration ttl, FeatureWriteListener listener, Counter writes) {
            this.store = store;
            this.keyspace = keyspace;
            this.ttl = ttl;
            this.listener = listener;
            this.writes = writes;
        }

        @Override
        public void write(UserFeatures f, Context context) {
            store.putOverlay(keyspace, f.userId, f.toJson().getBytes(StandardCharsets.UTF_8), ttl);
            writes.inc();
            listener.written(f.userId, f.sourceTimestamp, System.currentTimeMillis());
        }

        @Override
        public void flush(boolean endOfInput) {
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
