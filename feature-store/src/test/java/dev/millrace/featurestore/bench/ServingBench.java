package dev.millrace.featurestore.bench;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.publish.PublishResult;
import dev.millrace.featurestore.publish.Publisher;
import dev.millrace.featurestore.serving.BatchLimits;
import dev.millrace.featurestore.serving.HttpTimeouts;
import dev.millrace.featurestore.serving.MetricsExposure;
import dev.millrace.featurestore.serving.ServingServer;
import dev.millrace.featurestore.serving.ServingSettings;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The serving benchmark's Java side (bench/suites/serving.sh drives it): builds a {@code gold.recommendations} of
 * USERS x 20 items in a temporary lake, with the contract's STRING keys (user ids "1".."USERS", the decimal text a
 * numeric feed's ids become, so the driving script's requests stay as they were; item ids "SKU-<n>", letters included,
 * as a retail feed has them), publishes it into the embedded store (and into Redis when a port is given),
 * prints the publish throughput and the store's folder ({@code STORE path}). {@code serve PATH} then serves that store
 * on a free port until standard input closes, in a JVM of its own (no Spark heap behind the server's latencies).
 * Usage: ServingBench USERS [REDIS_PORT] | ServingBench serve PATH
 */
public final class ServingBench {

    private static final FeatureTables FEATURES = new FeatureTables("features");

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            serve(args[1]);
            return;
        }
        int users = Integer.parseInt(args[0]);
        int redisPort = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        SparkSession spark = SharedSpark.session();
        Path lakeDir = SharedSpark.newLakeDir("bench");
        Lake lake = new Lake(lakeDir.toString(), 4);
        spark.range(1, users + 1L).selectExpr("CAST(id AS STRING) AS user_id",
                        "transform(sequence(0, 19), j -> named_struct('item_id', CONCAT('SKU-', CAST(id * 100 + j AS STRING)), "
                                + "'score', CAST(1.0 / (j + 1) AS FLOAT))) AS items",
                        "'bench-model' AS model_version", "'bench-run' AS run_id", "current_timestamp() AS generated_at")
                .repartition(4).write().format("delta").save(lake.location(GoldTables.RECOMMENDATIONS));

        StoreSettings embedded = StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(lakeDir.resolve("_serving/store").toString()).mapSize(4L << 30).batchSize(1000).build();
        try (OnlineStore store = OnlineStores.open(embedded)) {
            // A first publish warms Spark and the JIT; the second is the one measured.
            new Publisher(spark, lake, FEATURES, embedded, store, 100).publish();
            PublishResult r = new Publisher(spark, lake, FEATURES, embedded, store, 100).publish(true);
            System.out.printf("PUBLISH embedded keys=%d seconds=%.2f keys_per_s=%.0f%n", r.totalKeys(), r.seconds(), r.keysPerSecond());
            if (redisPort > 0) {
                StoreSettings redis = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", redisPort)
                        .redisKeyPrefix("bench:").batchSize(1000).build();
                try (OnlineStore rs = OnlineStores.open(redis)) {
                    new Publisher(spark, lake, FEATURES, redis, rs, 100).publish();
                    PublishResult rr = new Publisher(spark, lake, FEATURES, redis, rs, 100).publish(true);
                    System.out.printf("PUBLISH redis keys=%d seconds=%.2f keys_per_s=%.0f%n", rr.totalKeys(), rr.seconds(), rr.keysPerSecond());
                }
            }
            System.out.println("STORE " + embedded.embeddedPath());
        }
        spark.stop();
    }

    private static void serve(String path) throws Exception {
        StoreSettings embedded = StoreSettings.builder(StoreSettings.Kind.EMBEDDED).embeddedPath(path).mapSize(4L << 30).build();
        ServingSettings http = new ServingSettings("127.0.0.1", 0,
                Integer.getInteger("bench.io-threads", Math.max(2, Runtime.getRuntime().availableProcessors())),
                8, 10, 100, 2048, 0, Optional.empty(), Duration.ofHours(1),
                new HttpTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10)),
                MetricsExposure.onPort("127.0.0.1", 0), new BatchLimits(256, 128 * 1024));
        try (OnlineStore store = OnlineStores.open(embedded); ServingServer server = ServingServer.start(store, http)) {
            System.out.println("READY " + server.port());
            System.out.flush();
            // Serve until the driving script closes our standard input.
            while (System.in.read() >= 0) {
                // discard
            }
        }
    }
}
