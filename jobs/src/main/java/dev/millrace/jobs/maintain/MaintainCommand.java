package dev.millrace.jobs.maintain;

import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code millrace maintain}: compacts every lake table (OPTIMIZE, Z-ordered on the user and item keys where the table
 * has them) and removes files older than the retention (VACUUM). Listing parallelism comes from
 * {@code spark.sql.sources.parallelPartitionDiscovery.parallelism} in conf, which keeps VACUUM from launching
 * thousands of tasks on a small table. A table whose newest commit is already maintenance (nothing written since the last
 * run) is left alone, so re-running maintain for the same day commits nothing.
 */
@Command(name = "maintain", mixinStandardHelpOptions = true,
        description = "OPTIMIZE (Z-order on user_id, item_id) and VACUUM every lake table, or the ones named.",
        footer = {"", "Examples:", "  bin/millrace maintain",
                "  bin/millrace maintain --table silver.ratings --table bronze.ratings"})
public final class MaintainCommand extends SparkCommand {

    @Option(names = "--table", paramLabel = "LAYER.NAME", description = "Only this table (repeatable).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--no-vacuum", description = "Compact only; keep old files.")
    boolean noVacuum;

    @Override
    protected String jobName() {
        return "maintain";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        SparkSession spark = ctx.spark();
        Duration retention = ctx.config().getDuration("millrace.maintain.vacuum-retention");
        boolean allowShort = ctx.config().getBoolean("millrace.maintain.allow-short-retention");
        if (retention.toHours() < 168 && !allowShort) {
            throw new IllegalArgumentException("millrace.maintain.vacuum-retention is " + retention.toHours()
                    + "h, under Delta's 168h safety minimum; set millrace.maintain.allow-short-retention=true if no "
                    + "reader or writer can still need those files");
        }
        spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", String.valueOf(!allowShort));
        List<String> zorder = ctx.config().getStringList("millrace.maintain.zorder-columns");
        List<TableName> targets = tables.isEmpty() ? new LakeCatalog(spark, ctx.lake()).discover()
                : tables.stream().map(TableName::parse).toList();
        Map<String, Object> perTable = new LinkedHashMap<>();
        for (TableName t : targets) {
            String location = ctx.lake().location(t);
            if (!DeltaTable.isDeltaTable(spark, location)) {
                throw new IllegalArgumentException("no Delta table " + t + " at " + location);
            }
            if (InputFingerprint.lastCommitIsMaintenance(spark, location)) {
                perTable.put(t.qualified(), Map.of("skipped", "no data change since the last maintain"));
                continue;
            }
            DeltaTable table = DeltaTable.forPath(spark, location);
            List<String> columns = Arrays.asList(table.toDF().columns());
            String[] z = zorder.stream().filter(columns::contains).toArray(String[]::new);
            Row metrics = (z.length > 0 ? table.optimize().executeZOrderBy(z) : table.optimize().executeCompaction())
                    .select("metrics.numFilesAdded", "metrics.numFilesRemoved").first();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("zorder_by", z.length == 0 ? "-" : String.join(", ", z));
            m.put("files_added", metrics.getLong(0));
            m.put("files_removed", metrics.getLong(1));
            if (!noVacuum) {
                long before = fileCount(spark, location);
                table.vacuum(retention.toMillis() / 3_600_000.0);
                m.put("files_vacuumed", Math.max(0, before - fileCount(spark, location)));
            }
            perTable.put(t.qualified(), m);
        }
        report.put("vacuum_retention_hours", noVacuum ? "off" : retention.toHours());
        report.put("tables", perTable);
        return ExitCodes.OK;
    }

    /** Data files on storage (not just in the current snapshot): what VACUUM can remove. */
    private static long fileCount(SparkSession spark, String location) {
        try {
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
            org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            long n = 0;
            org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                org.apache.hadoop.fs.Path p = it.next().getPath();
                if (p.getName().endsWith(".parquet") && !p.toString().contains("/_delta_log/")) {
                    n++;
                }
            }
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
