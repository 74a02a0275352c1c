package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * Ingests a source into bronze, silver and quarantine Delta tables: new files only (the ledger remembers the rest),
 * interrupted runs rolled back first, every row accounted for (rows in = accepted + quarantined), and the job
 * rejected (exit code 3, silver untouched) when an entity's reject ratio passes {@code millrace.ingest.max-reject-ratio}.
 */
public final class IngestJob {

    static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";
    private static final String ADAPTIVE = "spark.sql.adaptive.enabled";
    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

    private final SparkSession spark;
    private final MillraceConfig config;
    private final Lake lake;

    public IngestJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.config = config;
        this.lake = Lake.from(config);
    }

    /** Runs the ingest, filling the report; returns an exit code. */
    public int run(IngestRequest request, RunReport report) {
        List<SourceSpec> specs = specs(request);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String date = request.logicalDate() == null ? null : request.logicalDate().toString();
        Path root = SourceListing.resolveRoot(request.source(), date, hadoop);
        report.put("source", root.toString());
        if (date != null) {
            report.put("logical_date", date);
        }

        IngestLedger ledger = new IngestLedger(spark, lake);
        List<String> recovered = new RunRecovery(spark, lake).recover(ledger.runIds());
        if (!recovered.isEmpty()) {
            report.put("recovered_from_unfinished_runs", String.join("; ", recovered));
        }
        Set<String> ingested = ledger.ingested();
        ValidationRules rules = ValidationRules.from(config, Instant.now());
        double maxReject = config.getDouble("millrace.ingest.max-reject-ratio");
        Timestamp now = Timestamp.from(Instant.now());
        Date logicalDate = request.logicalDate() == null ? null : Date.valueOf(request.logicalDate());

        Map<Entity, EntityResult> results = new LinkedHashMap<>();
        List<Row> ledgerEntries = new ArrayList<>();
        spark.conf().set(USER_METADATA, RunRecovery.TAG + report.runId());
        // Ingest lays its rows out once (EntityWriter.prepare) and caches them; with adaptive execution on, Spark 4
        // does not trust a cached plan's partitioning and re-shuffles and re-sorts all rows for the duplicate window
        // and again for each write. Measured on 1M rows: two shuffles of everything saved.
        String adaptive = spark.conf().get(ADAPTIVE, "true");
        spark.conf().set(ADAPTIVE, "false");
        try {
            for (SourceSpec spec : specs) {
                EntityResult result = results.computeIfAbsent(spec.entity(), EntityResult::new);
                ingestSource(spec, root, ingested, rules, maxReject, report.runId(), now, logicalDate, ledger,
                        result, ledgerEntries);
            }
            ledger.append(ledgerEntries);
        } finally {
            spark.conf().unset(USER_METADATA);
            spark.conf().set(ADAPTIVE, adaptive);
        }
        new LakeCatalog(spark, lake).registerAll();

        boolean anyRejected = false;
        long files = 0;
        Map<String, Object> byEntity = new LinkedHashMap<>();
        for (EntityResult r : results.values()) {
            byEntity.put(r.entity.tableName(), r.asMap());
            anyRejected |= r.rejected;
            files += r.filesNew;
        }
        report.put("files_ingested", files);
        report.put("entities", byEntity);
        report.put("max_reject_ratio", maxReject);
        if (anyRejected) {
            report.put("result", "REJECTED: too many bad rows; quarantine written, silver unchanged for the "
                    + "rejected entities. Fix the source or the mapping and run again.");
            return ExitCodes.REJECTED;
        }
        report.put("result", files == 0 ? "nothing new to ingest" : "ok");
        return ExitCodes.OK;
    }

    private void ingestSource(SourceSpec spec, Path root, Set<String> ingested, ValidationRules rules,
                              double maxReject, String runId, Timestamp now, Date logicalDate, IngestLedger ledger,
                              EntityResult result, List<Row> ledgerEntries) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<SourceFile> all = SourceListing.list(root, spec.filesGlob(), hadoop);
        List<SourceFile> fresh = new ArrayList<>();
        for (SourceFile f : all) {
            if (ingested.contains(IngestLedger.identity(f))) {
                result.filesSkipped++;
            } else {
                fresh.add(f);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        result.filesNew += fresh.size();
        LOG.info("ingesting {} new file(s) into {}", fresh.size(), spec.entity().silver());

        SourceReader reader = new SourceReader(spark, rules, config.getBytes("millrace.ingest.split-size"),
                (int) Math.min(Integer.MAX_VALUE - 16, config.getBytes("millrace.ingest.max-line-size")));
        EntityWriter writer = new EntityWriter(spark, lake, EventPartitioning.from(config), spec.entity(),
                spec.duplicates(), runId, now);
        long started = System.nanoTime();
        SourceReader.Read read = reader.read(spec, fresh);
        Dataset<Row> rows = writer.prepare(read.rows()).persist(EntityWriter.cacheLevel());
        EntityWriter.Classified classified = writer.classify(rows);
        try {
            Map<String, Long> perFile = new HashMap<>();
            long counted = 0;
            for (Row r : classified.rows().groupBy(col(UnifiedSchema.SOURCE_FILE), col(EntityWriter.STATUS)).count()
                    .collectAsList()) {
                String status = r.getString(1);
                long n = r.getLong(2);
                perFile.merge(r.getString(0), n, Long::sum);
                counted += n;
                result.rowsIn += n;
                switch (status) {
                    case EntityWriter.NEW -> result.inserted += n;
                    case EntityWriter.UNCHANGED -> result.unchanged += n;
                    case EntityWriter.UPDATED -> result.updated += n;
                    case EntityWriter.FOLDED -> result.folded += n;
                    default -> result.quarantined.merge(status, n, Long::sum);
                }
            }
            result.blankLines += read.blankLines();
            result.recordsRead += read.expectedRows();
            if (counted != read.expectedRows()) {
                // Checked before anything is written: a row lost or doubled between the files and the counts is a bug.
                throw new IllegalStateException("internal error: " + spec.entity().tableName() + ": the files hold "
                        + read.expectedRows() + " records but " + counted + " rows came out of parsing and"
                        + " classification; nothing was written");
            }
            LOG.info("{}: parsed and classified {} rows in {} ms", spec.entity().tableName(), result.rowsIn,
                    (System.nanoTime() - started) / 1_000_000);
            Set<String> retried = ledger.rejectedRuns(fresh);
            writer.clearRejectedAttempts(retried);
            boolean tooMany = result.rejectRatio() > maxReject;
            if (result.quarantinedTotal() > 0) {
                writer.writeQuarantine(classified);
            }
            if (tooMany) {
                result.rejected = true;
                result.rejectMessage = String.format("%.2f%% of rows rejected, above the %.2f%% allowed",
                        100 * result.rejectRatio(), 100 * maxReject);
            } else {
                long t = System.nanoTime();
                writer.writeBronze(rows);
                LOG.info("{}: bronze written in {} ms", spec.entity().tableName(), (System.nanoTime() - t) / 1_000_000);
                t = System.nanoTime();
                writer.writeSilver(classified);
                LOG.info("{}: silver written in {} ms", spec.entity().tableName(), (System.nanoTime() - t) / 1_000_000);
            }
            String status = tooMany ? IngestLedger.REJECTED : IngestLedger.INGESTED;
            for (SourceFile f : fresh) {
                long n = perFile.getOrDefault(f.path(), 0L);
                if (n == 0) {
                    result.filesEmpty++;
                }
                ledgerEntries.add(IngestLedger.entry(f, spec.entity(), runId, status, n, logicalDate, now));
            }
        } finally {
            rows.unpersist();
        }
    }

    private List<SourceSpec> specs(IngestRequest request) {
        if ("movielens".equalsIgnoreCase(request.format())) {
            return request.mapping() == null ? MappingFile.movieLens()
                    : MappingFile.read(request.mapping(), SourceFormat.CSV);
        }
        SourceFormat format = SourceFormat.parse(request.format());
        if (request.mapping() == null) {
            throw new IllegalArgumentException("--format " + request.format() + " needs --mapping FILE that maps the "
                    + "source's columns onto the entity fields (see docs/ingest.md)");
        }
        return MappingFile.read(request.mapping(), format);
    }
}
