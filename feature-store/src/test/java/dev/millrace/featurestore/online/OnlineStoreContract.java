package dev.millrace.featurestore.online;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link OnlineStore} must do, run against each real implementation (LMDB files, a real redis-server):
 * publish and read, exact counts, flip keeping the previous version, rollback, removal of older versions, atomic
 * flips under a continuous reader, a publisher killed mid-write, overlay values, and string keys of every shape the
 * key rule allows.
 */
abstract class OnlineStoreContract {

    static final int KEYS = 300;

    /** Settings for a fresh, empty store. */
    abstract StoreSettings freshSettings(String name);

    /** The arguments CrashingPublish needs to reach the same store. */
    abstract List<String> crashArgs(StoreSettings settings);

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Publishes a version whose every value names it: rec values "v<version>:<key>", the popular list "v<version>". */
    static VersionPointer publish(OnlineStore store, int keys) {
        try (PublishLease lease = store.beginPublish()) {
            long v = lease.version();
            try (VersionWriter w = store.openWriter(v)) {
                for (int i = 0; i < keys; i++) {
                    w.put(Keyspace.RECOMMENDATIONS, Integer.toString(i), utf8("v" + v + ":" + i));
                }
                w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY, utf8("v" + v));
            }
            assertThat(store.count(v, Keyspace.RECOMMENDATIONS)).isEqualTo(keys);
            assertThat(store.count(v, Keyspace.POPULAR)).isEqualTo(1);
            VersionPointer p = store.flip(lease);
            store.removeOldVersions(v);
            return p;
        }
    }

    @Test
    void emptyStoreHasNoCurrentVersion() {
        try (OnlineStore store = OnlineStores.open(freshSettings("empty"))) {
            assertThat(store.pointer()).isEmpty();
            assertThatThrownBy(() -> store.lookup(Keyspace.RECOMMENDATIONS, "1"))
                    .isInstanceOf(NoCurrentVersionException.class);
            assertThatThrownBy(() -> store.lookupAll(Keyspace.RECOMMENDATIONS, List.of("1", "2")))
                    .isInstanceOf(NoCurrentVersionException.class);
            assertThatThrownBy(store::rollback).isInstanceOf(NoCurrentVersionException.class);
            store.ping();
        }
    }

    @Test
    void publishThenRead() {
        try (OnlineStore store = OnlineStores.open(freshSettings("read"))) {
            VersionPointer p = publish(store, KEYS);
            assertThat(p.previous()).isZero();
            assertThat(store.pointer()).contains(p);
            Lookup hit = store.lookup(Keyspace.RECOMMENDATIONS, "42");
            assertThat(hit.version()).isEqualTo(p.current());
            assertThat(text(hit.value())).isEqualTo("v" + p.current() + ":42");
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "no-such-user").found()).isEmpty();
            assertThat(store.get(p.current(), Keyspace.POPULAR, Keyspace.POPULAR_KEY)).map(OnlineStoreContract::text)
                    .contains("v" + p.current());
            assertThat(store.lookup(Keyspace.features("user"), "1").found()).isEmpty();
        }
    }

    @Test
    void lookupAllReadsEveryKeyInOrderFromOneVersion() {
        try (OnlineStore store = OnlineStores.open(freshSettings("batch"))) {
            publish(store, KEYS);
            VersionPointer p = publish(store, KEYS);
            List<String> keys = List.of("42", "no-such-user", "0", "299", "42x", "7");
            BatchLookup batch = store.lookupAll(Keyspace.RECOMMENDATIONS, keys);
            assertThat(batch.version()).isEqualTo(p.current());
            assertThat(batch.size()).isEqualTo(keys.size());
            List<String> read = new ArrayList<>();
            for (byte[] v : batch.values()) {
                read.add(v == null ? null : text(v));
            }
            String v = "v" + p.current() + ":";
            assertThat(read).containsExactly(v + "42", null, v + "0", v + "299", null, v + "7");
            assertThat(batch.get(3).version()).isEqualTo(p.current());
            assertThat(text(batch.get(3).value())).isEqualTo(v + "299");
            // A keyspace the version does not hold: every key absent, still from the current version.
            BatchLookup none = store.lookupAll(Keyspace.features("user"), List.of("1", "2"));
            assertThat(none.version()).isEqualTo(p.current());
            assertThat(none.values()).containsExactly(null, null);
            assertThat(store.lookupAll(Keyspace.RECOMMENDATIONS, List.of()).values()).isEmpty();
        }
    }

    @Test
    void flipKeepsPreviousRemovesOlderAndRollbackSwaps() {
        try (OnlineStore store = OnlineStores.open(freshSettings("flip"))) {
            VersionPointer first = publish(store, 10);
            VersionPointer second = publish(store, 20);
            VersionPointer third = publish(store, 30);
            assertThat(second.previous()).isEqualTo(first.current());
            assertThat(third.previous()).isEqualTo(second.current());
            assertThat(store.versions()).containsExactly(second.current(), third.current());

            VersionPointer back = store.rollback();
            assertThat(back).isEqualTo(new VersionPointer(second.current(), third.current()));
            assertThat(text(store.lookup(Keyspace.RECOMMENDATIONS, "15").value())).isEqualTo("v" + second.current() + ":15");
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "25").found()).isEmpty();

            // Rolling back again undoes the rollback.
            assertThat(store.rollback()).isEqualTo(third);
            assertThat(text(store.lookup(Keyspace.RECOMMENDATIONS, "25").value())).isEqualTo("v" + third.current() + ":25");
        }
    }

    @Test
    void rollbackWithoutPreviousFails() {
        try (OnlineStore store = OnlineStores.open(freshSettings("noprev"))) {
            publish(store, 5);
            assertThatThrownBy(store::rollback).isInstanceOf(OnlineStoreException.class).hasMessageContaining("no previous");
        }
    }

    @Test
    void flipsAreAtomicForAContinuousReader() throws Exception {
        StoreSettings settings = freshSettings("atomic");
        try (OnlineStore writerStore = OnlineStores.open(settings); OnlineStore readerStore = OnlineStores.open(settings)) {
            publish(writerStore, KEYS);
            AtomicLong reads = new AtomicLong();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted() && failure.get() == null) {
                    try {
                        int key = ThreadLocalRandom.current().nextInt(KEYS);
                        Lookup l = readerStore.lookup(Keyspace.RECOMMENDATIONS, Integer.toString(key));
                        String expected = "v" + l.version() + ":" + key;
                        if (l.value() == null || !text(l.value()).equals(expected)) {
                            failure.set("read " + (l.value() == null ? "nothing" : text(l.value())) + ", expected " + expected);
                        }
                        // The second read of a request (the popularity fallback) comes from the same version.
                        String pop = readerStore.get(l.version(), Keyspace.POPULAR, Keyspace.POPULAR_KEY).map(OnlineStoreContract::text)
                                .orElse("missing");
                        if (!pop.equals("v" + l.version())) {
                            failure.set("popular list of version " + l.version() + " read as " + pop);
                        }
                        // A batch read: every value from the one version it names.
                        List<String> batchKeys = new ArrayList<>();
                        for (int b = 0; b < 20; b++) {
                            batchKeys.add(Integer.toString(ThreadLocalRandom.current().nextInt(KEYS)));
                        }
                        BatchLookup batch = readerStore.lookupAll(Keyspace.RECOMMENDATIONS, batchKeys);
                        for (int b = 0; b < batchKeys.size(); b++) {
                            byte[] value = batch.values().get(b);
                            String want = "v" + batch.version() + ":" + batchKeys.get(b);
                            if (value == null || !text(value).equals(want)) {
                                failure.set("batch read " + (value == null ? "nothing" : text(value)) + ", expected " + want);
                            }
                        }
                        reads.incrementAndGet();
                    } catch (RuntimeException e) {
                        failure.set(e.toString());
                    }
                }
            }, "continuous-reader");
            reader.start();
            try {
                for (int i = 0; i < 12 && failure.get() == null; i++) {
                    publish(writerStore, KEYS);
                    // Reads finish after the flip before the next one: the contract keeps a resolved version readable
                    // while it is current or previous, i.e. across one flip, not two.
                    awaitReads(reads, reads.get() + 50, failure);
                    if (i % 4 == 3) {
                        writerStore.rollback();
                        awaitReads(reads, reads.get() + 50, failure);
                        writerStore.rollback();
                        // The next publish is another transition: without this wait a request that resolved its
                        // version before the second rollback could meet two transitions (seen under heavy load).
                        awaitReads(reads, reads.get() + 50, failure);
                    }
                }
            } finally {
                reader.interrupt();
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failure.get()).isNull();
            assertThat(reads.get()).isGreaterThan(600);
        }
    }

    /** Lets the reader make progress between flips, so flips land among reads (bounded, no sleeping). */
    private static void awaitReads(AtomicLong reads, long target, AtomicReference<String> failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reads.get() < target && failure.get() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aPublisherKilledMidWriteLeavesTheCurrentVersionServing() throws Exception {
        StoreSettings settings = freshSettings("crash");
        try (OnlineStore store = OnlineStores.open(settings)) {
            VersionPointer before = publish(store, KEYS);

            Process child = startChild(settings, false);
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(out).isEqualTo(CrashingPublish.EXIT_CODE);
            assertThat(out).contains("halting in version");

            // The current version is untouched and serving.
            assertThat(store.pointer()).contains(before);
            Lookup l = store.lookup(Keyspace.RECOMMENDATIONS, "3");
            assertThat(l.version()).isEqualTo(before.current());
            assertThat(text(l.value())).isEqualTo("v" + before.current() + ":3");

            // The next publish proceeds (no lock left behind) and clears the unfinished version.
            VersionPointer after = publish(store, KEYS);
            assertThat(after.previous()).isEqualTo(before.current());
            assertThat(store.versions()).containsExactly(before.current(), after.current());
            assertThat(text(store.lookup(Keyspace.RECOMMENDATIONS, "200").value())).isEqualTo("v" + after.current() + ":200");
        }
    }

    @Test
    void aReaderSeesVersionsPublishedByAnotherProcess() throws Exception {
        StoreSettings settings = freshSettings("otherprocess");
        try (OnlineStore store = OnlineStores.open(settings)) {
            VersionPointer before = publish(store, KEYS);
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "1").found()).isPresent();
            for (int i = 0; i < 3; i++) {
                Process child = startChild(settings, true);
                String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as(out).isZero();
                VersionPointer now = store.pointer().orElseThrow();
                assertThat(now.current()).isEqualTo(before.current() + 1 + i);
                Lookup l = store.lookup(Keyspace.RECOMMENDATIONS, "17");
                assertThat(text(l.value())).isEqualTo("v" + now.current() + ":17");
                assertThat(store.get(now.current(), Keyspace.POPULAR, Keyspace.POPULAR_KEY)).isPresent();
                assertThat(store.count(now.current(), Keyspace.RECOMMENDATIONS)).isEqualTo(KEYS);
            }
        }
    }

    private Process startChild(StoreSettings settings, boolean complete) throws java.io.IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("--add-") || arg.startsWith("-XX:+IgnoreUnrecognized")) {
                    cmd.add(arg);
                }
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(CrashingPublish.class.getName());
            if (complete) {
                cmd.add("complete");
            }
            cmd.addAll(crashArgs(settings));
            cmd.add(Integer.toString(KEYS));
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void overlayValuesAreReadUntilReplaced() {
        try (OnlineStore store = OnlineStores.open(freshSettings("overlay"))) {
            Keyspace users = Keyspace.features("user");
            assertThat(store.getOverlay(users, "7")).isEmpty();
            store.putOverlay(users, "7", utf8("{\"clicks\":3}"), Duration.ofMinutes(5));
            assertThat(store.getOverlay(users, "7")).map(OnlineStoreContract::text).contains("{\"clicks\":3}");
            store.putOverlay(users, "7", utf8("{\"clicks\":4}"), Duration.ofMinutes(5));
            assertThat(store.getOverlay(users, "7")).map(OnlineStoreContract::text).contains("{\"clicks\":4}");
            store.putOverlay(users, "ü/9", utf8("{\"clicks\":5}"), Duration.ofMinutes(5));
            List<byte[]> many = store.getOverlays(users, List.of("8", "ü/9", "7"));
            assertThat(many).hasSize(3);
            assertThat(many.get(0)).isNull();
            assertThat(text(many.get(1))).isEqualTo("{\"clicks\":5}");
            assertThat(text(many.get(2))).isEqualTo("{\"clicks\":4}");
            assertThat(store.getOverlays(Keyspace.features("nobody"), List.of("7"))).containsExactly((byte[]) null);
            assertThatThrownBy(() -> store.putOverlay(users, "7", utf8("x"), Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Keys of every shape core's EntityKey accepts, each read back exactly (and only) as written. */
    static final List<String> STRING_KEYS = List.of("B00X4WHP5E", "7340-RED", "7340-red",
            "3f2c9a4e-8b1d-4c7a-9e2f-1a2b3c4d5e6f", "a/b", "user:42", "with inner space", "40213.0", "ünïcødé-商品-🎬",
            "x".repeat(128), "商".repeat(128), "🎬".repeat(64), "%2F");

    @Test
    void stringKeysOfEveryShapeTheKeyRuleAllows() {
        List<String> keys = STRING_KEYS;
        try (OnlineStore store = OnlineStores.open(freshSettings("strings"))) {
            Keyspace items = Keyspace.features("item");
            long v;
            try (PublishLease lease = store.beginPublish()) {
                v = lease.version();
                try (VersionWriter w = store.openWriter(v)) {
                    for (String k : keys) {
                        w.put(Keyspace.RECOMMENDATIONS, k, utf8("rec " + k));
                        w.put(items, k, utf8("feat " + k));
                    }
                }
                store.flip(lease);
            }
            assertThat(store.count(v, Keyspace.RECOMMENDATIONS)).isEqualTo(keys.size());
            assertThat(store.count(v, items)).isEqualTo(keys.size());
            for (String k : keys) {
                assertThat(store.lookup(Keyspace.RECOMMENDATIONS, k).found()).as(k).map(OnlineStoreContract::text)
                        .contains("rec " + k);
                assertThat(store.get(v, items, k)).as(k).map(OnlineStoreContract::text).contains("feat " + k);
                store.putOverlay(items, k, utf8("ov " + k), Duration.ofMinutes(5));
                assertThat(store.getOverlay(items, k)).as(k).map(OnlineStoreContract::text).contains("ov " + k);
            }
            // One batch read of every shape, in order.
            BatchLookup all = store.lookupAll(items, keys);
            for (int i = 0; i < keys.size(); i++) {
                assertThat(text(all.values().get(i))).as(keys.get(i)).isEqualTo("feat " + keys.get(i));
            }
            // Keys are exact: no case folding, no trimming, no numeric reading.
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "b00x4whp5e").found()).isEmpty();
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "40213").found()).isEmpty();
            assertThat(store.lookup(Keyspace.RECOMMENDATIONS, "a%2Fb").found()).isEmpty();
        }
    }
}
