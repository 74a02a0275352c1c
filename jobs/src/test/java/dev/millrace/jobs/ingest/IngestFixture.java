package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.HashMap;
import java.util.Map;

/** A lake of its own for one test class, and ingest runs against it on the JVM's shared SparkSession. */
final class IngestFixture {

    final SparkSession spark = SharedSpark.session();
    final MillraceConfig config;
    final Lake lake;

    IngestFixture(String name, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("millrace.lake.root", SharedSpark.newLakeDir(name).toString());
        this.config = SharedSpark.config().with(all);
        this.lake = Lake.from(config);
    }

    Result ingest(String source, String format, java.io.File mapping) {
        RunReport report = new RunReport("ingest");
        int code = new IngestJob(spark, config).run(new IngestRequest(source, format, mapping, null), report);
        return new Result(code, report);
    }

    Result ingestMovieLens(String source) {
        return ingest(source, "movielens", null);
    }

    Dataset<Row> table(TableName t) {
        return spark.read().format("delta").load(lake.location(t));
    }

    boolean exists(TableName t) {
        return DeltaTables.exists(spark, lake.location(t));
    }

    long version(TableName t) {
        return DeltaTables.version(spark, lake.location(t));
    }

    record Result(int code, RunReport report) {
        @SuppressWarnings("unchecked")
        Map<String, Object> entity(String name) {
            return (Map<String, Object>) ((Map<String, Object>) report.get("entities")).get(name);
        }

        long number(String entity, String key) {
            return ((Number) entity(entity).get(key)).longValue();
        }

        @SuppressWarnings("unchecked")
        Map<String, Long> quarantined(String entity) {
            Object m = entity(entity).get("quarantined_by_reason");
            return m == null ? Map.of() : (Map<String, Long>) m;
        }
    }
}
