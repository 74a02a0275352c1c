package dev.millrace.featurestore.bench;

import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static org.lmdbjava.ByteArrayProxy.PROXY_BA;

/**
 * The measurement behind the embedded store's choice: N keys x 200-byte values, bulk load in batches of 1,000, then
 * single-thread random gets (p50/p99) and gets/s for LMDB, RocksDB and an in-heap map, in one run on this machine.
 * Usage: EmbeddedKvMeasure [KEYS]
 */
public final class EmbeddedKvMeasure {

    private static final int VALUE = 200;
    private static final int GETS = 500_000;

    private EmbeddedKvMeasure() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        byte[][] keys = new byte[n][];
        byte[] value = new byte[VALUE];
        Arrays.fill(value, (byte) 'x');
        for (int i = 0; i < n; i++) {
            keys[i] = Integer.toString(i * 7919 % n).getBytes(StandardCharsets.UTF_8);
        }
        Path dir = Files.createTempDirectory("kv-measure-");
        System.out.printf("%-8s %12s %10s %10s %12s%n", "store", "load keys/s", "get p50us", "get p99us", "gets/s");

        Path lmdbDir = Files.createDirectories(dir.resolve("lmdb"));
        try (Env<byte[]> env = Env.create(PROXY_BA).setMapSize(4L << 30).setMaxDbs(2)
                .open(lmdbDir.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC)) {
            Dbi<byte[]> db = env.openDbi("d", DbiFlags.MDB_CREATE);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i += 1000) {
                try (Txn<byte[]> txn = env.txnWrite()) {
                    for (int j = i; j < Math.min(n, i + 1000); j++) {
                        db.put(txn, keys[j], value);
                    }
                    txn.commit();
                }
            }
            double load = n / ((System.nanoTime() - t0) / 1e9);
            report("lmdb", load, keys, k -> {
                try (Txn<byte[]> txn = env.txnRead()) {
                    return db.get(txn, k);
                }
            });
        }

        RocksDB.loadLibrary();
        try (Options opts = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(opts, dir.resolve("rocks").toString());
             WriteOptions wo = new WriteOptions().setDisableWAL(true)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i += 1000) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (int j = i; j < Math.min(n, i + 1000); j++) {
                        batch.put(keys[j], value);
                    }
                    db.write(wo, batch);
                }
            }
            double load = n / ((System.nanoTime() - t0) / 1e9);
            db.flushWal(true);
            report("rocksdb", load, keys, k -> {
                try {
                    return db.get(k);
                } catch (org.rocksdb.RocksDBException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        for (byte[] k : keys) {
            map.put(new String(k, StandardCharsets.UTF_8), value.clone());
        }
        double load = n / ((System.nanoTime() - t0) / 1e9);
        report("heap-map", load, keys, k -> map.get(new String(k, StandardCharsets.UTF_8)));
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static void report(String name, double loadPerSec, byte[][] keys, Function<byte[], byte[]> get) {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < GETS / 5; i++) {
            get.apply(keys[rnd.nextInt(keys.length)]);
        }
        long[] lat = new long[GETS];
        long start = System.nanoTime();
        for (int i = 0; i < GETS; i++) {
            long t = System.nanoTime();
            byte[] v = get.apply(keys[rnd.nextInt(keys.length)]);
            lat[i] = System.nanoTime() - t;
            if (v == null || v.length != VALUE) {
                throw new IllegalStateException(name + " lost a key");
            }
        }
        double perSec = GETS / ((System.nanoTime() - start) / 1e9);
        Arrays.sort(lat);
        System.out.printf("%-8s %12.0f %10.1f %10.1f %12.0f%n", name, loadPerSec, lat[GETS / 2] / 1e3,
                lat[(int) (GETS * 0.99)] / 1e3, perSec);
    }
}
