package dev.millrace.jobs.serving;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.serving.RecommendationAnswer;
import dev.millrace.featurestore.serving.RecommendationService;
import dev.millrace.jobs.Main;
import dev.millrace.jobs.cli.JobContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** publish, serving status and serving rollback as commands, on the shared Spark session and the embedded store. */
class ServingCommandsTest {

    @Test
    void publishTwiceThenStatusAndRollback() throws Exception {
        SparkSession spark = SharedSpark.session();
        MillraceConfig config = SharedSpark.configWithLake("serving-commands");
        Lake lake = Lake.from(config);
        // The gold contract's STRING keys (core's GoldTables), shaped like a retail feed's: account codes and SKUs.
        spark.range(1, 21).selectExpr("CONCAT('acct-', id) AS " + GoldTables.USER_ID,
                        "array(named_struct('item_id', CONCAT('SKU-', id * 10, '-RED'), 'score', CAST(1.0 AS FLOAT))) AS "
                                + GoldTables.ITEMS,
                        "'m1' AS model_version", "'r1' AS run_id", "current_timestamp() AS generated_at")
                .write().format("delta").save(lake.location(GoldTables.RECOMMENDATIONS));

        JobContext ctx = new JobContext(config, spark);
        assertThat(new PublishCommand().execute(ctx)).isEqualTo(ExitCodes.OK);
        // The same tables again: nothing to publish, the store stays at version 1.
        assertThat(new PublishCommand().execute(ctx)).isEqualTo(ExitCodes.OK);
        assertThat(capture("serving", "status", "--lake", lake.root())).contains("current:  1");
        PublishCommand forced = new PublishCommand();
        new picocli.CommandLine(forced).parseArgs("--force");
        assertThat(forced.execute(ctx)).isEqualTo(ExitCodes.OK);

        String status = capture("serving", "status", "--lake", lake.root());
        assertThat(status).contains("current:  2").contains("previous: 1");
        String rolled = capture("serving", "rollback", "--lake", lake.root());
        assertThat(rolled).contains("current 2 -> 1");
        try (OnlineStore store = OnlineStores.open(StoreSettings.from(config))) {
            assertThat(store.pointer()).contains(new VersionPointer(1, 2));
            RecommendationAnswer a = new RecommendationService(store).recommend("acct-7", 10);
            assertThat(a.fallback()).isFalse();
            assertThat(a.record().itemIds()).containsExactly("SKU-70-RED");
            assertThat(new RecommendationService(store).recommend("7", 10).fallback()).isTrue();
        }
    }

    private static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isEqualTo(ExitCodes.OK);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
