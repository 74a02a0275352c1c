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
                "  bin/millrace maintain --table silver.ratings --table bronze.ratings",
                "  bin/millrace maintain --exclude gold.recommendations --exclude 'features.*'",
                "  bin/millrace maintain --table gold.recommendations --table 'features.*' --skip-missing"})
public final class MaintainCommand extends SparkCommand {

    @Option(names = "--table", paramLabel = "LAYER.NAME", description = "Only this table (repeatable). A name with * "
            + "(features.*) selects every existing table it matches, none when none does.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "LAYER.NAME", description = "Leave this table alone (repeatable; * as "
            + "in --table). The daily DAG maintains the tables publish reads apart from the others, so that no table "
            + "is rewritten while publish reads it.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--skip-missing", description = "A --table named in full that does not exist is skipped, not "
            + "refused (a first run whose model was not promoted has no gold.recommendations).")
    boolean skipMissing;

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
        boolean listOnly = !tables.isEmpty() && excludes.isEmpty() && !skipMissing
                && tables.stream().noneMatch(MaintainCommand::isPattern);
        List<TableName> targets = listOnly ? tables.stream().map(TableName::parse).toList()
                : select(new LakeCatalog(spark, ctx.lake()).discover(), tables, excludes, skipMissing);
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

    /**
     * The tables to maintain: every discovered one when {@code tables} is empty, else those named (a name in full is
     * kept even when it was not discovered, so that it is refused, unless {@code skipMissing}) or matched by a
     * {@code *} pattern; minus those {@code excludes} names or matches. In name order, each once.
     */
    static List<TableName> select(List<TableName> discovered, List<String> tables, List<String> excludes,
                                  boolean skipMissing) {
        java.util.SortedMap<String, TableName> out = new java.util.TreeMap<>();
        if (tables.isEmpty()) {
            discovered.forEach(t -> out.put(t.qualified(), t));
        }
        for (String name : tables) {
            if (isPattern(name)) {
                java.util.regex.Pattern p = glob(name);
                discovered.stream().filter(t -> p.matcher(t.qualified()).matches()).forEach(t -> out.put(t.qualified(), t));
            } else {
                TableName t = TableName.parse(name);
                if (!skipMissing || discovered.contains(t)) {
                    out.put(t.qualified(), t);
                }
            }
        }
        for (String name : excludes) {
            java.util.regex.Pattern p = isPattern(name) ? glob(name)
                    : java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(TableName.parse(name).qualified()));
            out.keySet().removeIf(q -> p.matcher(q).matches());
        }
        return List.copyOf(out.values());
    }

    static boolean isPattern(String name) {
        return name.contains("*");
    }

    /** {@code layer.name} with {@code *} standing for any run of name characters (never the dot). */
    private static java.util.regex.Pattern glob(String pattern) {
        if (!pattern.matches("[a-z0-9_*]+\\.[a-z0-9_*]+")) {
            throw new IllegalArgumentException("expected a table name or pattern of the form layer.name (* for any "
                    + "characters of a part), got '" + pattern + "'");
        }
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? "[a-z0-9_]*" : c == '.' ? "\\." : String.valueOf(c));
        }
        return java.util.regex.Pattern.compile(re.toString());
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
