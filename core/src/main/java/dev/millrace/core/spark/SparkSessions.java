package dev.millrace.core.spark;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.faults.KillPointLogStore;
import dev.millrace.core.faults.KillPoints;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * Builds the one SparkSession a Millrace process uses, from {@code millrace.spark.*}: Delta's extension and catalog,
 * the lake's warehouse folder, and every lake table registered by name. Under spark-submit the master and resources
 * come from spark-submit; otherwise from the config (local mode by default).
 */
public final class SparkSessions {

    /** Delta's per-scheme log store key; crash tests put {@link KillPointLogStore} there. */
    public static final String KILL_POINT_LOG_STORE = "spark.delta.logStore.file.impl";

    private SparkSessions() {
    }

    public static SparkSession getOrCreate(MillraceConfig config, String jobName) {
        Lake lake = Lake.from(config);
        SparkSession.Builder builder = SparkSession.builder()
                .appName(config.getString("millrace.spark.app-name") + " " + jobName);
        if (!launchedBySparkSubmit()) {
            builder.master(config.getString("millrace.spark.master"));
        }
        for (Map.Entry<String, String> e : sparkConf(config).entrySet()) {
            builder.config(e.getKey(), e.getValue());
        }
        builder.config("spark.sql.warehouse.dir", lake.root() + "/_warehouse");
        if (KillPoints.armed()) {
            // A crash test: a kill point after each Delta commit on local paths.
            builder.config(KILL_POINT_LOG_STORE, KillPointLogStore.class.getName());
        }
        SparkSession spark = builder.getOrCreate();
        new LakeCatalog(spark, lake).registerAll();
        return spark;
    }

    /** The {@code millrace.spark.conf} block as flat Spark keys (the quoted keys in HOCON keep their dots). */
    static Map<String, String> sparkConf(MillraceConfig config) {
        Config block = config.getConfig("millrace.spark.conf");
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
            String key = e.getKey().replace("\"", "");
            out.put(key, String.valueOf(e.getValue().unwrapped()));
        }
        return out;
    }

    private static boolean launchedBySparkSubmit() {
        return new SparkConf().contains("spark.master");
    }
}
