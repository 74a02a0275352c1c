package dev.millrace.featurestore.online.embedded;

import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.lmdbjava.ByteArrayProxy.PROXY_BA;

/**
 * One LMDB environment per folder per JVM, shared by reference count. LMDB forbids opening the same environment
 * twice in one process, and in Spark's local mode the driver, every task thread and (in tests) the server live in one
 * JVM, so they all go through {@link #acquire}. Also owns the database handles, because LMDB requires that handles be
 * opened by one transaction at a time per process.
 */
final class SharedEnv {

    private static final Logger LOG = LoggerFactory.getLogger(SharedEnv.class);
    private static final Map<Path, SharedEnv> OPEN = new HashMap<>();

    private final Path dir;
    private final Env<byte[]> env;
    private final Map<String, Dbi<byte[]>> handles = new ConcurrentHashMap<>();
    private int refs;

    private SharedEnv(Path dir, Env<byte[]> env) {
        this.dir = dir;
        this.env = env;
    }

    static SharedEnv acquire(Path dir, long mapSize, int maxReaders) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (OPEN) {
            SharedEnv shared = OPEN.get(key);
            if (shared == null) {
                try {
                    Files.createDirectories(key);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create the online store folder " + key, e);
                }
                // NOTLS: read transactions are not tied to a thread (the server reads from many threads).
                // NOSYNC: bulk writes skip fsync per transaction; publish calls sync() before and after the flip.
                Env<byte[]> env = Env.create(PROXY_BA)
                        .setMapSize(mapSize)
                        .setMaxDbs(LmdbLayout.MAX_DBS)
                        .setMaxReaders(maxReaders)
                        .open(key.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC);
                int stale = env.readerCheck();
                if (stale > 0) {
                    LOG.info("cleared {} reader slots left by dead processes in {}", stale, key);
                }
                shared = new SharedEnv(key, env);
                OPEN.put(key, shared);
            }
            shared.refs++;
            return shared;
        }
    }

    void release() {
        synchronized (OPEN) {
            if (--refs == 0) {
                OPEN.remove(dir);
                env.sync(true);
                env.close();
            }
        }
    }

    Env<byte[]> env() {
        return env;
    }

    Path dir() {
        return dir;
    }

    /** A handle this process has already opened, or null (opens nothing). */
    Dbi<byte[]> cached(String name) {
        return handles.get(name);
    }

    /** The handle of an existing database, or null when it does not exist yet. Call outside any transaction. */
    Dbi<byte[]> existing(String name) {
        Dbi<byte[]> dbi = handles.get(name);
        if (dbi != null) {
            return dbi;
        }
        synchronized (this) {
            dbi = handles.get(name);
            if (dbi != null) {
                return dbi;
            }
            try (Txn<byte[]> txn = env.txnRead()) {
                dbi = env.openDbi(txn, name.getBytes(StandardCharsets.UTF_8), null, false);
                txn.commit();
            } catch (Dbi.KeyNotFoundException e) {
                return null;
            }
            handles.put(name, dbi);
            return dbi;
        }
    }

    /**
     * The handle of a database, creating it in its own write transaction. Callers must not hold a write transaction
     * of their own (LMDB allows one writer at a time: it would wait on itself).
     */
    Dbi<byte[]> create(String name) {
        Dbi<byte[]> dbi = handles.get(name);
        if (dbi != null) {
            return dbi;
        }
        synchronized (this) {
            return handles.computeIfAbsent(name, n -> env.openDbi(n, DbiFlags.MDB_CREATE));
        }
    }
}
