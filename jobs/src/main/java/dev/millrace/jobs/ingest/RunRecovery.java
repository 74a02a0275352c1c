package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Undoes what an interrupted ingest run wrote. Every ingest commit carries {@code millrace-ingest:<run id>} as Delta
 * user metadata and a run is complete only once its files are in the ledger; commits at the head of a table from
 * runs the ledger does not know are rolled back with RESTORE before a new run writes, so a crash between the bronze,
 * quarantine and silver writes never leaves half a run behind nor, after a retry, a duplicate.
 *
 * <p>Commits of other writers may sit on top of an unfinished run's (an {@code OPTIMIZE} or {@code VACUUM} by
 * {@code maintain}, say). Those that keep the table's rows as they are do not stop the search, and restoring past them
 * loses nothing. One that changed rows (a DELETE, an UPDATE, another job's write) cannot be undone silently: the run
 * fails, naming the commits, and the table is left as it is for a person to decide.
 */
final class RunRecovery {

    static final String TAG = "millrace-ingest:";
    private static final Logger LOG = LoggerFactory.getLogger(RunRecovery.class);

    /** Commits read back from a table's head; the search stops at the first finished run's commit well before. */
    private static final int HISTORY = 500;

    private final SparkSession spark;
    private final Lake lake;

    RunRecovery(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /**
     * Rolls back unfinished runs' commits; returns a line per table it restored. Every table is checked before any is
     * restored, so a table that cannot be rolled back leaves all of them as they were.
     */
    List<String> recover(Set<String> finishedRuns) {
        Map<TableName, Long> plan = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Entity e : Entity.values()) {
            for (TableName t : List.of(e.bronze(), e.quarantine(), e.silver())) {
                String location = lake.location(t);
                if (DeltaTables.exists(spark, location)) {
                    oldestUnfinished(t, location, finishedRuns, problems).ifPresent(v -> plan.put(t, v));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("\n", problems));
        }
        List<String> done = new ArrayList<>();
        for (Map.Entry<TableName, Long> p : plan.entrySet()) {
            String location = lake.location(p.getKey());
            long restoreTo = p.getValue() - 1;
            if (restoreTo < 0) {
                spark.sql("DELETE FROM " + DeltaTables.quotedPath(location));
                done.add(p.getKey() + ": emptied (created by an unfinished run)");
            } else {
                spark.sql("RESTORE TABLE " + DeltaTables.quotedPath(location) + " TO VERSION AS OF " + restoreTo);
                done.add(p.getKey() + ": restored to version " + restoreTo);
            }
            LOG.warn("rolled back an unfinished ingest run in {}", done.get(done.size() - 1));
        }
        return done;
    }

    /**
     * The oldest commit of an unfinished run above the newest finished one, if any; a problem line instead when a
     * commit that changed rows sits above it.
     */
    private Optional<Long> oldestUnfinished(TableName t, String location, Set<String> finishedRuns, List<String> problems) {
        long oldest = Long.MAX_VALUE;
        List<String> changedSince = new ArrayList<>();
        List<String> blockers = new ArrayList<>();
        // Commit metadata only (one row per commit, bounded): history is newest first.
        for (Row r : DeltaTable.forPath(spark, location).history(HISTORY)
                .select("version", "userMetadata", "operation").collectAsList()) {
            String meta = r.isNullAt(1) ? null : r.getString(1);
            if (meta != null && meta.startsWith(TAG)) {
                if (finishedRuns.contains(meta.substring(TAG.length()))) {
                    break; // a finished run: everything before it is trusted
                }
                oldest = r.getLong(0);
                blockers.addAll(changedSince);
                changedSince.clear();
            } else if (!InputFingerprint.MAINTENANCE_OPERATIONS.contains(r.getString(2))) {
                changedSince.add("version " + r.getLong(0) + " (" + r.getString(2) + ")");
            }
        }
        if (oldest == Long.MAX_VALUE) {
            return Optional.empty();
        }
        if (!blockers.isEmpty()) {
            problems.add(t + " holds commits of an unfinished ingest run (from version " + oldest + ") under later"
                    + " commits that changed rows: " + String.join(", ", blockers) + ". Rolling the run back would undo"
                    + " those too, so no table was changed; restore " + t + " by hand (RESTORE TABLE ... TO VERSION AS OF "
                    + (oldest - 1) + "), redo those changes, then run ingest again.");
            return Optional.empty();
        }
        return Optional.of(oldest);
    }
}
