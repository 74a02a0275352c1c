package dev.millrace.featurestore.online.embedded;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.VersionWriter;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes one task's keys into a slot, committing one LMDB write transaction per batch: LMDB has one writer at a time,
 * so batches keep parallel tasks taking turns instead of one task holding the lock for its whole partition.
 */
final class LmdbVersionWriter implements VersionWriter {

    private final LmdbOnlineStore store;
    private final int slot;
    private final int batchSize;
    private final Map<Keyspace, Dbi<byte[]>> dbis = new HashMap<>();
    private Txn<byte[]> txn;
    private int pending;

    LmdbVersionWriter(LmdbOnlineStore store, int slot, int batchSize) {
        this.store = store;
        this.slot = slot;
        this.batchSize = batchSize;
    }

    @Override
    public void put(Keyspace keyspace, String key, byte[] value) {
        Dbi<byte[]> dbi = dbis.get(keyspace);
        if (dbi == null) {
            // Creating a database takes its own write transaction: finish ours first.
            flush();
            dbi = store.createSlotDb(slot, keyspace);
            dbis.put(keyspace, dbi);
        }
        if (txn == null) {
            txn = store.shared().env().txnWrite();
        }
        dbi.put(txn, key.getBytes(StandardCharsets.UTF_8), value);
        if (++pending >= batchSize) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (txn != null) {
            Txn<byte[]> t = txn;
            txn = null;
            pending = 0;
            try (t) {
                t.commit();
            }
        }
    }

    @Override
    public void close() {
        flush();
    }
}
