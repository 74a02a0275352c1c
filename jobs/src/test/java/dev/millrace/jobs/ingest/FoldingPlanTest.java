package dev.millrace.jobs.ingest;

import dev.millrace.core.spark.SharedSpark;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every duplicate policy runs on the layout prepare() makes (one shuffle by period and bucket, one sort): the
 * classification adds no Exchange and no Sort of its own, with adaptive execution off as IngestJob runs it.
 */
class FoldingPlanTest {

    @ParameterizedTest
    @EnumSource(DuplicatePolicy.class)
    void classifyReusesTheSingleShuffleAndSort(DuplicatePolicy policy) throws Exception {
        java.nio.file.Path src = SharedSpark.newLakeDir("plan-" + policy.code());
        Files.writeString(src.resolve("feed.csv"), "u,i,w,t\n1,A,1,1700000000\n1,A,2,1700000000\n2,B,-1,1700000100\n");
        Files.writeString(src.resolve("m.conf"), "sources = [ { entity = ratings, files = \"feed*.csv\", duplicates = "
                + policy.code() + ", columns { user_id = u, item_id = i, weight = w, event_time = t } } ]");
        IngestFixture lake = new IngestFixture("plan-" + policy.code(), Map.of());
        SparkSession spark = lake.spark;
        SourceSpec spec = MappingFile.read(src.resolve("m.conf").toFile(), SourceFormat.CSV).get(0);
        List<SourceFile> files = SourceListing.list(new Path(src.toUri()), spec.filesGlob(),
                spark.sparkContext().hadoopConfiguration());
        SourceReader reader = new SourceReader(spark, ValidationRules.from(lake.config, Instant.now()), 128L << 20,
                1 << 20);
        EntityWriter writer = new EntityWriter(spark, lake.lake, EventPartitioning.from(lake.config), Entity.RATINGS,
                policy, "plan-run", Timestamp.from(Instant.now()));
        String adaptive = spark.conf().get("spark.sql.adaptive.enabled", "true");
        spark.conf().set("spark.sql.adaptive.enabled", "false");
        try {
            Dataset<Row> classified = writer.classify(writer.prepare(reader.read(spec, files).rows())).rows();
            String plan = classified.queryExecution().executedPlan().toString();
            assertThat(count(plan, "Exchange ")).as(plan).isEqualTo(1);
            assertThat(count(plan, "Sort \\[")).as(plan).isEqualTo(1);
            assertThat(classified.count()).isEqualTo(3);
        } finally {
            spark.conf().set("spark.sql.adaptive.enabled", adaptive);
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
