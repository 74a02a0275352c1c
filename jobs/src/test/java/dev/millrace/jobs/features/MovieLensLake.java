package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ml-latest-small ingested once per test JVM into a lake of its own (ingest takes tens of seconds on a loaded
 * 2-core machine), shared by every feature test class. Tests that write feature tables use their own dates or
 * settings so they do not depend on each other's order.
 */
final class MovieLensLake {

    static final Path ML = SharedSpark.sharedData().resolve("movielens/ml-latest-small");
    private static MillraceConfig config;

    private MovieLensLake() {
    }

    static synchronized MillraceConfig config() {
        if (config == null) {
            assertThat(Files.exists(ML.resolve("ratings.csv"))).as("MovieLens data in ../shared/data").isTrue();
            // MILLRACE_TEST_ML_LAKE=DIR reuses (or creates once) an ingested lake across runs, for local iteration.
            String reuse = System.getenv("MILLRACE_TEST_ML_LAKE");
            Path lake = reuse != null ? Path.of(reuse) : SharedSpark.newLakeDir("features-ml");
            MillraceConfig c = SharedSpark.config().with(Map.of("millrace.lake.root", lake.toString()));
            if (reuse == null || !Files.exists(lake.resolve("silver/ratings/_delta_log"))) {
                int code = new IngestJob(SharedSpark.session(), c)
                        .run(new IngestRequest(ML.toString(), "movielens", null, null), new RunReport("ingest"));
                assertThat(code).isEqualTo(ExitCodes.OK);
            }
            config = c;
        }
        // Another test class may have re-pointed the table names at its own lake since.
        new LakeCatalog(spark(), Lake.from(config)).registerAll();
        return config;
    }

    static SparkSession spark() {
        return SharedSpark.session();
    }
}
