package dev.millrace.core.lake;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * What a job's output for one scope (a logical date, or "all") was computed from: the Delta version of every input
 * table and a digest of the settings that shape it. Jobs write it as the Delta commit's {@code userMetadata}; a job
 * whose latest commit for the same scope carries the same fingerprint has nothing new to compute, so a scheduler's
 * re-run for the same date leaves every table version as it was.
 */
public record InputFingerprint(String job, String scope, SortedMap<String, Long> inputs, String settingsDigest) {

    private static final String PREFIX = "millrace:";
    /** Commits searched for the scope's latest marker; older ones are treated as unknown (the job recomputes). */
    private static final int HISTORY_DEPTH = 1000;
    /** Commits that rewrite files or set properties without changing what the table holds ({@code maintain}'s among them). */
    public static final List<String> MAINTENANCE_OPERATIONS = List.of("OPTIMIZE", "VACUUM START", "VACUUM END",
            "SET TBLPROPERTIES", "UNSET TBLPROPERTIES");

    public InputFingerprint {
        inputs = new TreeMap<>(inputs);
    }

    /**
     * The fingerprint of {@code inputs} at their current data versions (see {@link #currentDataVersion}; a table that
     * does not exist counts as -1) and of {@code settings} (rendered, then hashed).
     */
    public static InputFingerprint of(SparkSession spark, Lake lake, String job, String scope,
                                      Collection<TableName> inputs, Config... settings) {
        SortedMap<String, Long> versions = new TreeMap<>();
        for (TableName t : inputs) {
            versions.put(t.qualified(), currentDataVersion(spark, lake.location(t)).orElse(-1L));
        }
        return new InputFingerprint(job, scope, versions, digest(settings));
    }

    /** The marker a commit carries: {@code millrace:<job>:<scope>:{table=version,...}:<settings digest>}. */
    public String marker() {
        return scopePrefix() + inputs + ":" + settingsDigest;
    }

    /** Whether the table's latest commit for this job and scope was made from exactly these inputs. */
    public boolean isLatestIn(SparkSession spark, String tablePath) {
        if (!DeltaTable.isDeltaTable(spark, tablePath)) {
            return false;
        }
        List<Row> latest = DeltaTable.forPath(spark, tablePath).history(HISTORY_DEPTH)
                .where(col("userMetadata").startsWith(scopePrefix()))
                .orderBy(col("version").desc()).select("userMetadata").limit(1).collectAsList();
        return !latest.isEmpty() && marker().equals(latest.get(0).getString(0));
    }

    /** The table's current version, or empty when there is no Delta table there. */
    public static Optional<Long> currentVersion(SparkSession spark, String tablePath) {
        if (!DeltaTable.isDeltaTable(spark, tablePath)) {
            return Optional.empty();
        }
        return Optional.of(DeltaTable.forPath(spark, tablePath).history(1).select("version").head().getLong(0));
    }

    /**
     * The latest version that changed the table's data: maintenance commits (OPTIMIZE, VACUUM) are passed over, so
     * compacting an input does not make its dependants recompute. Empty when there is no Delta table there.
     */
    public static Optional<Long> currentDataVersion(SparkSession spark, String tablePath) {
        if (!DeltaTable.isDeltaTable(spark, tablePath)) {
            return Optional.empty();
        }
        List<Row> rows = DeltaTable.forPath(spark, tablePath).history(HISTORY_DEPTH)
                .select(col("version"), col("operation")).collectAsList();
        long newest = -1;
        for (Row r : rows) {
            newest = Math.max(newest, r.getLong(0));
            if (!MAINTENANCE_OPERATIONS.contains(r.getString(1))) {
                return Optional.of(r.getLong(0));
            }
        }
        // Nothing but maintenance within the depth searched: the newest version stands for the data.
        return Optional.of(newest);
    }

    /** The {@code userMetadata} of the table's latest data-changing commit (maintenance commits passed over), if any. */
    public static Optional<String> latestDataCommitMetadata(SparkSession spark, String tablePath) {
        if (!DeltaTable.isDeltaTable(spark, tablePath)) {
            return Optional.empty();
        }
        for (Row r : DeltaTable.forPath(spark, tablePath).history(HISTORY_DEPTH)
                .select(col("operation"), col("userMetadata")).collectAsList()) {
            if (!MAINTENANCE_OPERATIONS.contains(r.getString(0))) {
                return Optional.ofNullable(r.getString(1));
            }
        }
        return Optional.empty();
    }

    /** Whether the table's newest commit is a maintenance one (nothing but OPTIMIZE or VACUUM since then). */
    public static boolean lastCommitIsMaintenance(SparkSession spark, String tablePath) {
        List<Row> last = DeltaTable.forPath(spark, tablePath).history(1).select("operation").collectAsList();
        return !last.isEmpty() && MAINTENANCE_OPERATIONS.contains(last.get(0).getString(0));
    }

    /** The inputs as a plain map, for run reports. */
    public Map<String, Long> inputsForReport() {
        return Map.copyOf(inputs);
    }

    private String scopePrefix() {
        return PREFIX + job + ":" + scope + ":";
    }

    private static String digest(Config... settings) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Config c : settings) {
                sha.update(c.root().render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
