package dev.millrace.jobs.ingest;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/** Small questions about Delta tables by path, asked the same way everywhere in ingest. */
final class DeltaTables {

    private DeltaTables() {
    }

    static boolean exists(SparkSession spark, String location) {
        return DeltaTable.isDeltaTable(spark, location);
    }

    static long version(SparkSession spark, String location) {
        return DeltaTable.forPath(spark, location).history(1).select("version").first().getLong(0);
    }

    static String quotedPath(String location) {
        return "delta.`" + location.replace("`", "``") + "`";
    }
}
