package dev.millrace.featurestore.publish;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.faults.KillPoints;
import dev.millrace.core.keys.EntityKey;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.online.VersionWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Publishes the lake's serving data as a new store version: the executors write it in bulk (one pipelined writer per
 * partition, nothing collected to the driver), the driver checks every keyspace's count against what the tasks
 * wrote, then makes the version current with one atomic flip and removes versions older than the previous one. Any
 * failure before the flip leaves the current version untouched and serving.
 */
public final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** Inside each version: which lake table versions it was published from ({@code {gold.recommendations=7, ...}}). */
    static final Keyspace SOURCES = new Keyspace("sources");
    static final String SOURCES_KEY = "tables";

    private final SparkSession spark;
    private final Lake lake;
    private final FeatureTables featureTables;
    private final StoreSettings settings;
    private final OnlineStore store;
    private final int popularTopN;

    public Publisher(SparkSession spark, Lake lake, FeatureTables featureTables, StoreSettings settings, OnlineStore store,
                     int popularTopN) {
        if (popularTopN < 1) {
            throw new IllegalArgumentException("millrace.serving.publish.popular-top-n must be at least 1");
        }
        this.spark = spark;
        this.lake = lake;
        this.featureTables = featureTables;
        this.settings = settings;
        this.store = store;
        this.popularTopN = popularTopN;
    }

    public static Publisher from(SparkSession spark, MillraceConfig config, OnlineStore store) {
        return new Publisher(spark, Lake.from(config), FeatureTables.from(config), StoreSettings.from(config), store,
                config.getInt("millrace.serving.publish.popular-top-n"));
    }

    /** Publishes unless the current version already holds the same lake table versions (see {@link #publish(boolean)}). */
    public PublishResult publish() {
        return publish(false);
    }

    /**
     * Publishes a new version. Without {@code force}, a publish whose sources (every table read, at its Delta version)
     * equal those recorded in the current version writes nothing: re-running a scheduled publish for the same day
     * leaves the store version as it was.
     */
    public PublishResult publish(boolean force) {
        requireReachableByExecutors();
        long started = System.nanoTime();
        PublishSources sources = new PublishSources(spark, lake, featureTables);
        // Plans first: a missing table or column fails here, before a version is even begun.
        Dataset<Row> recs = sources.recommendations();
        Dataset<Row> popular = sources.popular(popularTopN);
        Map<Keyspace, Dataset<Row>> features = sources.features();
        String fingerprint = sources.versionsRead().toString();

        Optional<VersionPointer> current = store.pointer();
        if (!force && current.isPresent()) {
            Optional<String> held = store.get(current.get().current(), SOURCES, SOURCES_KEY)
                    .map(b -> new String(b, StandardCharsets.UTF_8));
            if (held.isPresent() && held.get().equals(fingerprint)) {
                LOG.info("version {} already holds {}: nothing to publish", current.get().current(), fingerprint);
                return new PublishResult(current.get(), Map.of(), Map.of(), sources.nullKeyRows(), List.of(),
                        sources.popularSource(), fingerprint,
                        true, (System.nanoTime() - started) / 1e9);
            }
        }

        try (PublishLease lease = store.beginPublish()) {
            long version = lease.version();
            Map<String, Long> keys = new LinkedHashMap<>();
            Map<String, Long> skipped = new LinkedHashMap<>();
            keys.put(Keyspace.RECOMMENDATIONS.name(), write(recs, RowKind.RECOMMENDATIONS, Keyspace.RECOMMENDATIONS, version, skipped));
            long pop = write(popular, RowKind.POPULAR, Keyspace.POPULAR, version, skipped);
            if (pop == 0) {
                // An empty popularity source has no partition to write from: the fallback is then an empty list.
                try (VersionWriter w = store.openWriter(version)) {
                    w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY,
                            new RecommendationRecord("popularity", "", null, new String[0], new double[0]).encode());
                }
                pop = 1;
                verify(version, Keyspace.POPULAR, pop);
                KillPoints.reached("store", "version " + version + " " + Keyspace.POPULAR.name());
            }
            keys.put(Keyspace.POPULAR.name(), pop);
            for (Map.Entry<Keyspace, Dataset<Row>> f : features.entrySet()) {
                keys.put(f.getKey().name(), write(f.getValue(), RowKind.FEATURES, f.getKey(), version, skipped));
            }
            try (VersionWriter w = store.openWriter(version)) {
                w.put(SOURCES, SOURCES_KEY, fingerprint.getBytes(StandardCharsets.UTF_8));
            }
            verify(version, SOURCES, 1);
            KillPoints.reached("store", "version " + version + " " + SOURCES.name());
            VersionPointer pointer = store.flip(lease);
            KillPoints.reached("store", "flip to " + pointer.current());
            List<Long> removed = store.removeOldVersions(pointer.current());
            KillPoints.reached("store", "removed " + removed);
            double seconds = (System.nanoTime() - started) / 1e9;
            LOG.info("published version {} (previous {}) with {} to {} in {} s", pointer.current(), pointer.previous(),
                    keys, store.describe(), String.format("%.1f", seconds));
            return new PublishResult(pointer, keys, skipped, sources.nullKeyRows(), removed, sources.popularSource(),
                    fingerprint, false, seconds);
        }
    }

    /**
     * Writes one dataset into the version from the executors and checks the store holds exactly what they wrote; rows
     * skipped for a bad key are added to {@code skipped} and logged.
     */
    private long write(Dataset<Row> rows, RowKind kind, Keyspace keyspace, long version, Map<String, Long> skipped) {
        LongAccumulator written = spark.sparkContext().longAccumulator("publish " + keyspace);
        LongAccumulator bad = spark.sparkContext().longAccumulator("publish " + keyspace + " skipped");
        LOG.info("writing {} into version {}", keyspace, version);
        rows.foreachPartition(new PartitionWriter(settings, version, kind, keyspace, written, bad));
        if (bad.value() > 0) {
            skipped.put(keyspace.name(), bad.value());
            LOG.warn("{}: skipped {} rows whose id breaks the key rule ({}), so no request could ask for them",
                    keyspace, bad.value(), EntityKey.RULE);
        }
        long n = written.value();
        if (n > 0) {
            verify(version, keyspace, n);
        }
        return n;
    }

    private void verify(long version, Keyspace keyspace, long expected) {
        long stored = store.count(version, keyspace);
        if (stored != expected) {
            throw new OnlineStoreException("verification failed for " + keyspace + " in version " + version + ": the tasks wrote "
                    + expected + " rows but the store holds " + stored + " keys"
                    + (stored < expected ? " (duplicate keys in the source?)" : "")
                    + "; the current version is unchanged");
        }
    }

    /** The embedded store is a local folder: only tasks on this machine (Spark local mode) can write it. */
    private void requireReachableByExecutors() {
        String master = spark.sparkContext().master();
        if (settings.kind() == StoreSettings.Kind.EMBEDDED && !master.startsWith("local")) {
            throw new IllegalStateException("the embedded online store (" + settings.embeddedPath() + ") can only be "
                    + "published from Spark local mode, not from master '" + master
                    + "': set millrace.serving.store = redis on a cluster");
        }
    }
}
