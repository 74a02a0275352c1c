package dev.millrace.jobs.training;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/** The current version of a Delta table, recorded as the lineage of exports and models. */
public final class DeltaVersions {

    private DeltaVersions() {
    }

    public static long current(SparkSession spark, String location) {
        if (!DeltaTable.isDeltaTable(spark, location)) {
            throw new IllegalStateException("no Delta table at " + location);
        }
        return DeltaTable.forPath(spark, location).history(1).select("version").first().getLong(0);
    }
}
