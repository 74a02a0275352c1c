package dev.millrace.featurestore.publish;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Writes the serving inputs, with the contract's schemas, into a test lake (what other jobs will produce). */
public final class ServingTables {

    public static final StructType ITEM = new StructType()
            .add("item_id", DataTypes.LongType).add("score", DataTypes.DoubleType);
    public static final StructType RECOMMENDATIONS = new StructType()
            .add("user_id", DataTypes.LongType)
            .add("items", DataTypes.createArrayType(ITEM))
            .add("model_version", DataTypes.StringType)
            .add("run_id", DataTypes.StringType)
            .add("generated_at", DataTypes.TimestampType);

    private ServingTables() {
    }

    /** Users 1..n, each with 5 items {@code user*100 + j}, model version as given. */
    public static void recommendations(SparkSession spark, Lake lake, int users, String modelVersion) {
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            List<Row> items = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                items.add(RowFactory.create(u * 100 + j, 1.0 - j * 0.1));
            }
            rows.add(RowFactory.create(u, items, modelVersion, "run-" + modelVersion, Timestamp.from(Instant.parse("2025-03-01T00:00:00Z"))));
        }
        write(spark.createDataFrame(rows, RECOMMENDATIONS).repartition(3), lake, TableName.of("gold", "recommendations"));
    }

    /** A recommendations table with one bad row (null user_id) in its own partition: a publish fails part-way. */
    public static void recommendationsWithBadRow(SparkSession spark, Lake lake, int users) {
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            rows.add(RowFactory.create(u, List.of(RowFactory.create(u, 1.0)), "bad", "run-bad", null));
        }
        rows.add(RowFactory.create(null, List.of(), "bad", "run-bad", null));
        write(spark.createDataFrame(rows, RECOMMENDATIONS).repartition(3), lake, TableName.of("gold", "recommendations"));
    }

    public static void ratings(SparkSession spark, Lake lake) {
        StructType schema = new StructType().add("user_id", DataTypes.LongType).add("item_id", DataTypes.LongType)
                .add("rating", DataTypes.DoubleType).add("event_time", DataTypes.TimestampType);
        List<Row> rows = new ArrayList<>();
        Timestamp t = Timestamp.from(Instant.parse("2025-02-01T00:00:00Z"));
        // item 7 rated 3 times, item 8 twice, item 9 once.
        long[][] pairs = {{1, 7}, {2, 7}, {3, 7}, {1, 8}, {2, 8}, {1, 9}};
        for (long[] p : pairs) {
            rows.add(RowFactory.create(p[0], p[1], 4.0, t));
        }
        write(spark.createDataFrame(rows, schema), lake, TableName.of("silver", "ratings"));
    }

    public static void popularItems(SparkSession spark, Lake lake) {
        StructType schema = new StructType().add("rank", DataTypes.IntegerType).add("item_id", DataTypes.LongType)
                .add("score", DataTypes.DoubleType);
        List<Row> rows = List.of(RowFactory.create(2, 55L, 0.5), RowFactory.create(1, 44L, 0.9), RowFactory.create(3, 66L, 0.1));
        write(spark.createDataFrame(rows, schema), lake, TableName.of("gold", "popular_items"));
    }

    /** Two rows per user: the later feature_ts must win. */
    public static void userFeatures(SparkSession spark, Lake lake, int users) {
        StructType schema = new StructType().add("user_id", DataTypes.LongType).add("feature_ts", DataTypes.TimestampType)
                .add("clicks_7d", DataTypes.LongType).add("avg_rating", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            rows.add(RowFactory.create(u, Timestamp.from(Instant.parse("2025-01-01T00:00:00Z")), 1L, 3.0));
            rows.add(RowFactory.create(u, Timestamp.from(Instant.parse("2025-01-02T00:00:00Z")), u * 10, 4.5));
        }
        write(spark.createDataFrame(rows, schema), lake, TableName.of("features", "user_features"));
    }

    private static void write(Dataset<Row> df, Lake lake, TableName table) {
        df.write().format("delta").mode("overwrite").save(lake.location(table));
    }
}
