package dev.millrace.jobs.training;

import dev.millrace.core.lake.InputFingerprint;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/**
 * The data version of a Delta table (its latest commit that changed data; OPTIMIZE and VACUUM are passed over),
 * recorded as the lineage of exports and models, so that compaction does not make them look stale.
 */
public final class DeltaVersions {

    private DeltaVersions() {
    }

    public static long current(SparkSession spark, String location) {
        if (!DeltaTable.isDeltaTable(spark, location)) {
            throw new IllegalStateException("no Delta table at " + location);
        }
        return InputFingerprint.currentDataVersion(spark, location).orElseThrow();
    }
}
