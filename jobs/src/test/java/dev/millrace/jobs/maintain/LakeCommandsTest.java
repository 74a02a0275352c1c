package dev.millrace.jobs.maintain;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import dev.millrace.jobs.sql.TablesCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tables} lists what ingest wrote; {@code maintain} compacts with Z-order and vacuums old files. */
class LakeCommandsTest {

    @Test
    void tablesListsAndMaintainCompactsAndVacuums() throws Exception {
        MillraceConfig config = SharedSpark.configWithLake("maintain").with(Map.of(
                "millrace.maintain.vacuum-retention", "0h", "millrace.maintain.allow-short-retention", true));
        Path src = SharedSpark.newLakeDir("maintain-src");
        JobContext ctx = new JobContext(config, SharedSpark.session());
        // Two deliveries into the same month and bucket: two small files in one partition folder.
        for (int i = 0; i < 2; i++) {
            Files.writeString(src.resolve("ratings-" + i + ".csv"), "userId,movieId,rating,timestamp\n"
                    + "1," + (10 + i) + ",4.0,1500000000\n");
            assertThat(new IngestJob(ctx.spark(), config).run(new IngestRequest(src.toString(), "movielens", null,
                    null), new RunReport("ingest"))).isZero();
        }

        String listing = capture(() -> {
            TablesCommand tables = new TablesCommand();
            new CommandLine(tables).parseArgs("--format", "csv");
            tables.execute(ctx);
        });
        assertThat(listing).contains("table,version,rows,files,bytes,partitioned_by,location");
        assertThat(listing).containsPattern("silver\\.ratings,1,2,2,\\d+,\"event_period, user_bucket\"");
        assertThat(listing).contains("meta.ingested_files,1,2,");

        MaintainCommand maintain = new MaintainCommand();
        new CommandLine(maintain).parseArgs("--table", "silver.ratings");
        RunReport report = new RunReport("maintain");
        capture(() -> maintain.execute(ctx));
        long files = Files.walk(Path.of(java.net.URI.create(ctx.lake().location(
                dev.millrace.core.lake.TableName.parse("silver.ratings")))))
                .filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log")).count();
        assertThat(files).as("two files compacted into one, the old ones vacuumed").isEqualTo(1);
        assertThat(ctx.spark().read().format("delta").load(ctx.lake().location(
                dev.millrace.core.lake.TableName.parse("silver.ratings"))).count()).isEqualTo(2);
        assertThat(report.job()).isEqualTo("maintain");

        // Nothing written since: a second maintain commits nothing, and the data version stays the ingest's.
        String location = ctx.lake().location(dev.millrace.core.lake.TableName.parse("silver.ratings"));
        long version = dev.millrace.core.lake.InputFingerprint.currentVersion(ctx.spark(), location).orElseThrow();
        MaintainCommand again = new MaintainCommand();
        new CommandLine(again).parseArgs("--table", "silver.ratings");
        capture(() -> again.execute(ctx));
        assertThat(dev.millrace.core.lake.InputFingerprint.currentVersion(ctx.spark(), location)).contains(version);
        assertThat(dev.millrace.core.lake.InputFingerprint.currentDataVersion(ctx.spark(), location)).contains(1L);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static String capture(Body body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
