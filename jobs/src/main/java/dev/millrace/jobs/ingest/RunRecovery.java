package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Undoes what an interrupted ingest run wrote. Every ingest commit carries {@code millrace-ingest:<run id>} as Delta
 * user metadata and a run is complete only once its files are in the ledger; commits at the head of a table from
 * runs the ledger does not know are rolled back with RESTORE before a new run writes, so a crash between the bronze,
 * quarantine and silver writes never leaves half a run behind nor, after a retry, a duplicate.
 */
final class RunRecovery {

    static final String TAG = "millrace-ingest:";
    private static final Logger LOG = LoggerFactory.getLogger(RunRecovery.class);

    private final SparkSession spark;
    private final Lake lake;

    RunRecovery(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** Rolls back unfinished runs' commits; returns a line per table it restored. */
    List<String> recover(Set<String> finishedRuns) {
        List<String> done = new ArrayList<>();
        for (Entity e : Entity.values()) {
            for (TableName t : List.of(e.bronze(), e.quarantine(), e.silver())) {
                String location = lake.location(t);
                if (!DeltaTables.exists(spark, location)) {
                    continue;
                }
                long restoreTo = Long.MAX_VALUE;
                for (Row r : DeltaTable.forPath(spark, location).history(50)
                        .select("version", "userMetadata").collectAsList()) {
                    String meta = r.isNullAt(1) ? null : r.getString(1);
                    if (meta == null || !meta.startsWith(TAG) || finishedRuns.contains(meta.substring(TAG.length()))) {
                        break; // history is newest first; stop at the first finished commit
                    }
                    restoreTo = r.getLong(0) - 1;
                }
                if (restoreTo == Long.MAX_VALUE) {
                    continue;
                }
                if (restoreTo < 0) {
                    spark.sql("DELETE FROM " + DeltaTables.quotedPath(location));
                    done.add(t + ": emptied (created by an unfinished run)");
                } else {
                    spark.sql("RESTORE TABLE " + DeltaTables.quotedPath(location) + " TO VERSION AS OF " + restoreTo);
                    done.add(t + ": restored to version " + restoreTo);
                }
                LOG.warn("rolled back an unfinished ingest run in {}", done.get(done.size() - 1));
            }
        }
        return done;
    }
}
