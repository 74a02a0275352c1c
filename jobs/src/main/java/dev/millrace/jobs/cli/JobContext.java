package dev.millrace.jobs.cli;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/**
 * What a running command works with: its config, the lake and (started on first use) the SparkSession. Tests build
 * one around the shared test session.
 */
public final class JobContext {

    private final MillraceConfig config;
    private final String jobName;
    private SparkSession spark;

    public JobContext(MillraceConfig config, String jobName) {
        this.config = config;
        this.jobName = jobName;
    }

    public JobContext(MillraceConfig config, SparkSession spark) {
        this.config = config;
        this.jobName = "embedded";
        this.spark = spark;
        new LakeCatalog(spark, lake()).registerAll();
    }

    public MillraceConfig config() {
        return config;
    }

    public Lake lake() {
        return Lake.from(config);
    }

    public LakeCatalog catalog() {
        return new LakeCatalog(spark(), lake());
    }

    public synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSessions.getOrCreate(config, jobName);
        }
        return spark;
    }

    public synchronized boolean sparkStarted() {
        return spark != null;
    }
}
