package dev.millrace.jobs.serving;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
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
        spark.range(1, 21).selectExpr("id AS user_id",
                        "array(named_struct('item_id', id * 10, 'score', 1.0D)) AS items",
                        "'m1' AS model_version", "'r1' AS run_id", "current_timestamp() AS generated_at")
                .write().format("delta").save(lake.location(TableName.of("gold", "recommendations")));

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
