package dev.millrace.streaming.rerank;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Writes re-ranked lists as overlay values with a TTL under {@code feat.<entity>} (default {@code user_rerank}), where
 * the serving API's features endpoint returns them; overwrites of state-derived values, like the window features.
 */
public final class RerankSink implements Sink<RerankedList> {

    private static final long serialVersionUID = 1L;

    private final StoreSettings store;
    private final String entity;
    private final Duration ttl;

    public RerankSink(StoreSettings store, String entity, Duration ttl) {
        Keyspace.features(entity);
        this.store = store;
        this.entity = entity;
        this.ttl = ttl;
    }

    @Override
    public SinkWriter<RerankedList> createWriter(WriterInitContext context) {
        OnlineStore s = OnlineStores.open(store);
        Keyspace ks = Keyspace.features(entity);
        return new SinkWriter<>() {
            @Override
            public void write(RerankedList r, Context c) {
                s.putOverlay(ks, r.userId, r.toJson().getBytes(StandardCharsets.UTF_8), ttl);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
