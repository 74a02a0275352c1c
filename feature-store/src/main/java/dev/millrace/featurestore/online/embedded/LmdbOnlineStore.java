package dev.millrace.featurestore.online.embedded;

import dev.millrace.featurestore.online.BatchLookup;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.PointerMovedException;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.online.VersionWriter;
import org.lmdbjava.Dbi;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.millrace.featurestore.online.embedded.LmdbLayout.bytes;
import static dev.millrace.featurestore.online.embedded.LmdbLayout.string;

/**
 * The embedded online store on LMDB: memory-mapped B-trees in one folder, read with no server and no copy beyond the
 * value. Chosen over RocksDB and an in-heap map by measurement (docs/serving.md): fastest reads of the on-disk
 * stores, and LMDB lets several processes share the files safely (MVCC readers, one writer at a time), which is what
 * {@code publish} in one process and {@code serve} in another need. A lookup reads the pointer and the value in one
 * read transaction, so it sees one committed state: never half a flip.
 *
 * <p>Supported where every writer shares the folder: Spark local mode (tasks are threads of the driver JVM) or a
 * single machine. On a cluster, use Redis.
 */
public final class LmdbOnlineStore implements OnlineStore {

    private static final Logger LOG = LoggerFactory.getLogger(LmdbOnlineStore.class);

    private final StoreSettings settings;
    private final SharedEnv shared;
    private final Dbi<byte[]> meta;
    private final Clock clock;
    private volatile boolean closed;

    public LmdbOnlineStore(StoreSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** With a clock for overlay expiry (tests move time instead of waiting). */
    public LmdbOnlineStore(StoreSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.shared = SharedEnv.acquire(Path.of(settings.embeddedPath()), settings.mapSizeBytes(), settings.maxReaders());
        try {
            this.meta = shared.create(LmdbLayout.META);
        } catch (RuntimeException e) {
            shared.release();
            throw e;
        }
    }

    @Override
    public String describe() {
        return settings.toString();
    }

    @Override
    public boolean blockingReads() {
        return false;
    }

    @Override
    public Optional<VersionPointer> pointer() {
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            return readPointer(txn);
        }
    }

    @Override
    public Lookup lookup(Keyspace keyspace, String key) {
        BatchLookup one = lookupAll(keyspace, List.of(key));
        return new Lookup(one.version(), one.values().get(0));
    }

    @Override
    public BatchLookup lookupAll(Keyspace keyspace, List<String> keys) {
        // The pointer and every value come from one read transaction, so one committed state. A transaction can only use
        // handles open when it began: when the version's database has no handle in this process yet (another process
        // created it), open it and read again. Once per database per process.
        for (int attempt = 0; ; attempt++) {
            String name;
            try (Txn<byte[]> txn = shared.env().txnRead()) {
                VersionPointer p = readPointer(txn).orElseThrow(NoCurrentVersionException::new);
                name = LmdbLayout.data(slotOf(txn, p.current()), keyspace);
                Dbi<byte[]> dbi = shared.cached(name);
                if (dbi != null || attempt > 0) {
                    List<byte[]> values = new ArrayList<>(keys.size());
                    for (String key : keys) {
                        values.add(dbi == null ? null : dbi.get(txn, bytes(key)));
                    }
                    return new BatchLookup(p.current(), values);
                }
            }
            shared.existing(name);
        }
    }

    @Override
    public Optional<byte[]> get(long version, Keyspace keyspace, String key) {
        Dbi<byte[]> dbi = versionDb(version, keyspace);
        if (dbi == null) {
            return Optional.empty();
        }
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            slotOf(txn, version);
            return Optional.ofNullable(dbi.get(txn, bytes(key)));
        }
    }

    /** The handle of a version's database for a keyspace (opened outside any transaction), or null if none. */
    private Dbi<byte[]> versionDb(long version, Keyspace keyspace) {
        int slot;
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            slot = slotOf(txn, version);
        }
        return shared.existing(LmdbLayout.data(slot, keyspace));
    }

    private int slotOf(Txn<byte[]> txn, long version) {
        byte[] slot = meta.get(txn, LmdbLayout.versionSlot(version));
        if (slot == null) {
            throw new OnlineStoreException("version " + version + " is not in the store");
        }
        return Integer.parseInt(string(slot));
    }

    @Override
    public PublishLease beginPublish() {
        PublishLock lock = PublishLock.acquire(shared.dir());
        openSlotHandles();
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            Optional<VersionPointer> base = readPointer(txn);
            // Under the publish lock no other publish runs, so every slot outside the pointer is what an unfinished
            // publish left: it goes, and its number is taken again. The next version follows the highest one ever
            // made current (always in the pointer: a flip puts a new, higher one there), so a publish killed half
            // way and run again ends with the number an uninterrupted publish would have had; a version no reader
            // could resolve is the only one whose number is reused.
            for (int s = 0; s < LmdbLayout.SLOTS; s++) {
                long v = parseLong(meta.get(txn, LmdbLayout.slotVersion(s)));
                if (v != 0 && (base.isEmpty() || (v != base.get().current() && v != base.get().previous()))) {
                    emptySlot(txn, s);
                }
            }
            long version = base.map(p -> Math.max(p.current(), p.previous())).orElse(0L) + 1;
            int slot = freeSlot(txn, base);
            meta.put(txn, LmdbLayout.slotVersion(slot), bytes(Long.toString(version)));
            meta.put(txn, LmdbLayout.versionSlot(version), bytes(Integer.toString(slot)));
            txn.commit();
            LOG.info("publishing version {} into slot {} of {}", version, slot, shared.dir());
            return new Lease(version, base, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A slot holding neither the current nor the previous version (an unfinished publish's slot is reused). */
    private int freeSlot(Txn<byte[]> txn, Optional<VersionPointer> pointer) {
        for (int slot = 0; slot < LmdbLayout.SLOTS; slot++) {
            long v = parseLong(meta.get(txn, LmdbLayout.slotVersion(slot)));
            if (v == 0 || pointer.isEmpty() || (v != pointer.get().current() && v != pointer.get().previous())) {
                return slot;
            }
        }
        throw new IllegalStateException("no free slot: the pointer references more versions than there are slots");
    }

    /** Drops the contents of a slot's databases and forgets the version it held. Runs inside a write transaction. */
    private void emptySlot(Txn<byte[]> txn, int slot) {
        long old = parseLong(meta.get(txn, LmdbLayout.slotVersion(slot)));
        for (String ks : keyspacesOf(txn, slot)) {
            Dbi<byte[]> dbi = shared.existing(LmdbLayout.data(slot, new Keyspace(ks)));
            if (dbi != null) {
                dbi.drop(txn, false);
            }
        }
        meta.delete(txn, LmdbLayout.slotKeyspaces(slot));
        meta.delete(txn, LmdbLayout.slotVersion(slot));
        if (old != 0) {
            meta.delete(txn, LmdbLayout.versionSlot(old));
            LOG.info("removed version {} (slot {})", old, slot);
        }
    }

    /**
     * Opens the handles of every slot database before a write transaction that may empty them: LMDB only lets a
     * transaction use handles that were open when it began (another process may have created them since).
     */
    private void openSlotHandles() {
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            for (int slot = 0; slot < LmdbLayout.SLOTS; slot++) {
                for (String ks : keyspacesOf(txn, slot)) {
                    shared.existing(LmdbLayout.data(slot, new Keyspace(ks)));
                }
            }
        }
    }

    private Set<String> keyspacesOf(Txn<byte[]> txn, int slot) {
        String list = string(meta.get(txn, LmdbLayout.slotKeyspaces(slot)));
        Set<String> out = new LinkedHashSet<>();
        if (list != null && !list.isEmpty()) {
            out.addAll(Arrays.asList(list.split(",")));
        }
        return out;
    }

    @Override
    public VersionWriter openWriter(long version) {
        int slot;
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            byte[] s = meta.get(txn, LmdbLayout.versionSlot(version));
            if (s == null) {
                throw new OnlineStoreException("version " + version + " was not begun (or was removed) in " + shared.dir());
            }
            slot = Integer.parseInt(string(s));
        }
        return new LmdbVersionWriter(this, slot, settings.batchSize());
    }

    /** Creates a slot's database for a keyspace and records it in the slot's keyspace list. */
    Dbi<byte[]> createSlotDb(int slot, Keyspace keyspace) {
        Dbi<byte[]> dbi = shared.create(LmdbLayout.data(slot, keyspace));
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            Set<String> list = keyspacesOf(txn, slot);
            if (list.add(keyspace.name())) {
                meta.put(txn, LmdbLayout.slotKeyspaces(slot), bytes(String.join(",", list)));
            }
            txn.commit();
        }
        return dbi;
    }

    SharedEnv shared() {
        return shared;
    }

    @Override
    public long count(long version, Keyspace keyspace) {
        Dbi<byte[]> dbi = versionDb(version, keyspace);
        if (dbi == null) {
            return 0;
        }
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            slotOf(txn, version);
            return dbi.stat(txn).entries;
        }
    }

    @Override
    public List<Long> versions() {
        List<Long> out = new ArrayList<>();
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            for (int slot = 0; slot < LmdbLayout.SLOTS; slot++) {
                long v = parseLong(meta.get(txn, LmdbLayout.slotVersion(slot)));
                if (v != 0) {
                    out.add(v);
                }
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public VersionPointer flip(PublishLease lease) {
        shared.env().sync(true);
        VersionPointer next;
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            Optional<VersionPointer> now = readPointer(txn);
            if (!now.equals(lease.basePointer())) {
                throw new PointerMovedException("the version pointer moved from " + lease.basePointer().map(VersionPointer::encode)
                        .orElse("none") + " to " + now.map(VersionPointer::encode).orElse("none") + " during the publish");
            }
            if (meta.get(txn, LmdbLayout.versionSlot(lease.version())) == null) {
                throw new OnlineStoreException("version " + lease.version() + " was removed before its flip");
            }
            next = new VersionPointer(lease.version(), now.map(VersionPointer::current).orElse(0L));
            meta.put(txn, LmdbLayout.POINTER, bytes(next.encode()));
            txn.commit();
        }
        shared.env().sync(true);
        return next;
    }

    @Override
    public VersionPointer rollback() {
        VersionPointer swapped;
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            VersionPointer now = readPointer(txn).orElseThrow(NoCurrentVersionException::new);
            if (now.previous() == 0) {
                throw new OnlineStoreException("no previous version to roll back to (current is " + now.current() + ")");
            }
            swapped = new VersionPointer(now.previous(), now.current());
            meta.put(txn, LmdbLayout.POINTER, bytes(swapped.encode()));
            txn.commit();
        }
        shared.env().sync(true);
        return swapped;
    }

    @Override
    public List<Long> removeOldVersions(long below) {
        List<Long> removed = new ArrayList<>();
        openSlotHandles();
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            Optional<VersionPointer> p = readPointer(txn);
            for (int slot = 0; slot < LmdbLayout.SLOTS; slot++) {
                long v = parseLong(meta.get(txn, LmdbLayout.slotVersion(slot)));
                boolean kept = p.isPresent() && (v == p.get().current() || v == p.get().previous());
                if (v != 0 && v < below && !kept) {
                    emptySlot(txn, slot);
                    removed.add(v);
                }
            }
            txn.commit();
        }
        return removed;
    }

    @Override
    public void putOverlay(Keyspace keyspace, String key, byte[] value, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("overlay TTL must be positive, got " + ttl);
        }
        Dbi<byte[]> dbi = shared.create(LmdbLayout.overlay(keyspace));
        byte[] stored = ByteBuffer.allocate(Long.BYTES + value.length)
                .putLong(clock.millis() + ttl.toMillis()).put(value).array();
        try (Txn<byte[]> txn = shared.env().txnWrite()) {
            dbi.put(txn, bytes(key), stored);
            txn.commit();
        }
    }

    @Override
    public Optional<byte[]> getOverlay(Keyspace keyspace, String key) {
        Dbi<byte[]> dbi = shared.existing(LmdbLayout.overlay(keyspace));
        if (dbi == null) {
            return Optional.empty();
        }
        byte[] stored;
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            stored = dbi.get(txn, bytes(key));
        }
        if (stored == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(unexpired(stored, clock.millis()));
    }

    @Override
    public List<byte[]> getOverlays(Keyspace keyspace, List<String> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        Dbi<byte[]> dbi = shared.existing(LmdbLayout.overlay(keyspace));
        if (dbi == null) {
            keys.forEach(k -> out.add(null));
            return out;
        }
        long now = clock.millis();
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            for (String key : keys) {
                byte[] stored = dbi.get(txn, bytes(key));
                out.add(stored == null ? null : unexpired(stored, now));
            }
        }
        return out;
    }

    /** An overlay entry's value (after its expiry time), or null once expired. */
    private static byte[] unexpired(byte[] stored, long now) {
        if (ByteBuffer.wrap(stored).getLong() <= now) {
            return null;
        }
        return Arrays.copyOfRange(stored, Long.BYTES, stored.length);
    }

    /** Deletes expired overlay entries of a keyspace (reads already ignore them); returns how many. */
    public int purgeExpiredOverlay(Keyspace keyspace) {
        Dbi<byte[]> dbi = shared.existing(LmdbLayout.overlay(keyspace));
        if (dbi == null) {
            return 0;
        }
        int purged = 0;
        long now = clock.millis();
        try (Txn<byte[]> txn = shared.env().txnWrite(); var cursor = dbi.openCursor(txn)) {
            boolean more = cursor.first();
            while (more) {
                if (ByteBuffer.wrap(cursor.val()).getLong() <= now) {
                    cursor.delete();
                    purged++;
                }
                more = cursor.next();
            }
            cursor.close();
            txn.commit();
        }
        return purged;
    }

    @Override
    public void ping() {
        if (closed) {
            throw new OnlineStoreException("the embedded store is closed");
        }
        try (Txn<byte[]> txn = shared.env().txnRead()) {
            readPointer(txn);
        } catch (LmdbException e) {
            throw new OnlineStoreException("the embedded store at " + shared.dir() + " cannot be read", e);
        }
    }

    private Optional<VersionPointer> readPointer(Txn<byte[]> txn) {
        byte[] raw = meta.get(txn, LmdbLayout.POINTER);
        return raw == null ? Optional.empty() : Optional.of(VersionPointer.decode(string(raw)));
    }

    private static long parseLong(byte[] raw) {
        return raw == null ? 0 : Long.parseLong(string(raw));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            shared.release();
        }
    }

    private record Lease(long version, Optional<VersionPointer> basePointer, PublishLock lock) implements PublishLease {
        @Override
        public void close() {
            lock.close();
        }
    }
}
