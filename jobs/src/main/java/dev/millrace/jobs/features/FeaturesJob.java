package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.definitions.FeatureDefinition;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.definitions.SourceDefinition;
import dev.millrace.featurestore.offline.FeatureQuery;
import dev.millrace.featurestore.offline.LakeSources;
import dev.millrace.featurestore.offline.OfflineStore;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.featurestore.offline.SourceFrames;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * The features job: computes every declared feature for the given logical dates and writes them to the offline
 * store, replacing exactly those dates (idempotent, incremental by date). Features whose source is not in this lake
 * (a feed of interactions only has no tags or catalogue) are skipped with one line saying which and why, unless
 * marked {@code required = true}, which fails the run ({@link RunnableFeatures}). The plans are exposed separately
 * ({@link #plan}) so {@code gpu-plan} can judge the very frames this job writes.
 */
public final class FeaturesJob {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturesJob.class);

    private final SparkSession spark;
    private final MillraceConfig config;
    private final Lake lake;
    private final FeatureRegistry registry;
    private RunnableFeatures runnable;

    public FeaturesJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.config = config;
        this.lake = Lake.from(config);
        this.registry = FeatureRegistry.load(config);
        // Other processes (ingest) may have created tables since this session started.
        new LakeCatalog(spark, lake).registerAll();
    }

    /** Every declared definition, whether or not its source is in this lake. */
    public FeatureRegistry registry() {
        return registry;
    }

    /**
     * The definitions whose sources this lake holds (checked once per job); fails when a required one's source is
     * missing.
     */
    public synchronized RunnableFeatures runnable() {
        if (runnable == null) {
            runnable = new LakeSources(spark, lake).runnable(registry);
        }
        return runnable;
    }

    /** One snapshot frame per entity that has runnable definitions, not yet written. */
    public Map<EntityDefinition, Dataset<Row>> plan(SnapshotTimes times) {
        FeatureRegistry active = runnable().registry();
        if (active.definitions().isEmpty()) {
            throw new IllegalStateException("no feature can run on this lake: "
                    + (registry.definitions().isEmpty() ? "none is declared under " + FeatureRegistry.ROOT
                    : runnable().summary() + " (has ingest run?)"));
        }
        FeatureQuery query = new FeatureQuery(spark, active);
        Map<EntityDefinition, Dataset<Row>> plans = new LinkedHashMap<>();
        for (EntityDefinition e : active.activeEntities()) {
            plans.put(e, query.plan(e, times));
        }
        return plans;
    }

    /**
     * The default logical date when none is given: the day of the latest event in any event source, so that the
     * newest snapshot covers all data ingested so far.
     */
    public LocalDate latestEventDate() {
        SourceFrames frames = new SourceFrames(spark);
        Timestamp latest = null;
        FeatureRegistry active = runnable().registry();
        for (SourceDefinition s : active.sources().values()) {
            boolean used = active.definitions().stream().map(FeatureDefinition::source).anyMatch(s.name()::equals);
            if (!used || s.isStatic()) {
                continue;
            }
            Timestamp t = frames.read(s).agg(max(col(s.timeColumn().get()))).first().getTimestamp(0);
            if (t != null && (latest == null || t.after(latest))) {
                latest = t;
            }
        }
        if (latest == null) {
            throw new IllegalStateException("the feature sources hold no events yet: run ingest first, or give --date");
        }
        return latest.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** Computes and writes the snapshots of {@code times}; fills the report. */
    public int run(SnapshotTimes times, RunReport report) {
        report.put("dates", times.dates().size() == 1 ? times.dates().get(0).toString()
                : times.dates().get(0) + ".." + times.dates().get(times.dates().size() - 1) + " ("
                + times.dates().size() + " dates)");
        RunnableFeatures active = runnable();
        report.put("features", active.registry().definitions().size());
        if (active.skipsAnything()) {
            // One line saying what this lake cannot compute and why, in the log and in the summary.
            LOG.warn("{}", active.summary());
            report.put("skipped", active.summary());
        }
        OfflineStore store = new OfflineStore(spark, lake);
        InputFingerprint inputs = fingerprint(times);
        report.put("inputs", inputs.inputsForReport());
        Map<String, Object> tables = new LinkedHashMap<>();
        java.util.List<String> unchanged = new java.util.ArrayList<>();
        for (Map.Entry<EntityDefinition, Dataset<Row>> e : plan(times).entrySet()) {
            if (inputs.isLatestIn(spark, store.location(e.getKey()))) {
                LOG.info("{}: these dates were already computed from the same inputs and settings; unchanged", e.getKey().table());
                unchanged.add(e.getKey().table().qualified());
                continue;
            }
            long start = System.nanoTime();
            store.write(e.getKey(), e.getValue(), times, inputs.marker());
            String where = times.dates().stream().map(d -> "DATE'" + d + "'")
                    .collect(java.util.stream.Collectors.joining(", ", FeatureQuery.FEATURE_DATE + " IN (", ")"));
            long rows = spark.read().format("delta").load(store.location(e.getKey())).where(where).count();
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info("{}: {} rows in {} s", e.getKey().table(), rows, String.format("%.1f", seconds));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("rows", rows);
            t.put("features", active.registry().definitionsOf(e.getKey().name()).size());
            t.put("seconds", Math.round(seconds * 10) / 10.0);
            tables.put(e.getKey().table().qualified(), t);
        }
        report.put("tables", tables);
        report.put("unchanged", unchanged);
        return ExitCodes.OK;
    }

    /**
     * The snapshots of {@code times} depend on the silver tables (every feature source reads them) and on the
     * feature definitions; the same of both means the same rows.
     */
    private InputFingerprint fingerprint(SnapshotTimes times) {
        java.util.List<TableName> silver = new LakeCatalog(spark, lake).discover().stream()
                .filter(t -> t.layer().equals("silver")).toList();
        String scope = times.dates().size() == 1 ? times.dates().get(0).toString()
                : times.dates().get(0) + ".." + times.dates().get(times.dates().size() - 1);
        return InputFingerprint.of(spark, lake, "features", scope, silver, config.getConfig("millrace.features"));
    }
}
