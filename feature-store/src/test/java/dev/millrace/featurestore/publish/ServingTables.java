package dev.millrace.featurestore.publish;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.tables.GoldTables;
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

/**
 * Writes the serving inputs, with the contract's schemas (core's {@link GoldTables}: STRING keys, FLOAT scores), into a
 * test lake (what other jobs will produce). User ids are {@code user-<n>} and item ids {@code SKU-<n>}, so nothing
 * here can pass by being read as a number.
 */
public final class ServingTables {

    public static final StructType ITEM = new StructType()
            .add(GoldTables.ITEM_ID, DataTypes.StringType).add(GoldTables.SCORE, DataTypes.FloatType);
    public static final StructType RECOMMENDATIONS = new StructType()
            .add(GoldTables.USER_ID, DataTypes.StringType)
            .add(GoldTables.ITEMS, DataTypes.createArrayType(ITEM))
            .add(GoldTables.MODEL_VERSION, DataTypes.StringType)
            .add(GoldTables.RUN_ID, DataTypes.StringType)
            .add(GoldTables.GENERATED_AT, DataTypes.TimestampType);

    private ServingTables() {
    }

    public static String user(long n) {
        return "user-" + n;
    }

    public static String item(long n) {
        return "SKU-" + n;
    }

    /** Users 1..n, each with 5 items {@code SKU-<user*100 + j>}, model version as given. */
    public static void recommendations(SparkSession spark, Lake lake, int users, String modelVersion) {
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            List<Row> items = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                items.add(RowFactory.create(item(u * 100 + j), 1.0f - j * 0.125f));
            }
            rows.add(RowFactory.create(user(u), items, modelVersion, "run-" + modelVersion,
                    Timestamp.from(Instant.parse("2025-03-01T00:00:00Z"))));
        }
        write(spark.createDataFrame(rows, RECOMMENDATIONS).repartition(3), lake, GoldTables.RECOMMENDATIONS);
    }

    /** A recommendations table with one bad row (null user_id) in its own partition: a publish fails part-way. */
    public static void recommendationsWithBadRow(SparkSession spark, Lake lake, int users) {
        recommendationsWithBadUser(spark, lake, users, null);
    }

    /** Users 1..n and one more, {@code badUser}, that breaks the key rule (or is null). */
    public static void recommendationsWithBadUser(SparkSession spark, Lake lake, int users, String badUser) {
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            rows.add(RowFactory.create(user(u), List.of(RowFactory.create(item(u), 1.0f)), "bad", "run-bad", null));
        }
        rows.add(RowFactory.create(badUser, List.of(), "bad", "run-bad", null));
        write(spark.createDataFrame(rows, RECOMMENDATIONS).repartition(3), lake, GoldTables.RECOMMENDATIONS);
    }

    /** silver.ratings with STRING keys: SKU-7 rated 3 times, SKU-8 twice, SKU-9 once. */
    public static void ratings(SparkSession spark, Lake lake) {
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("item_id", DataTypes.StringType)
                .add("rating", DataTypes.DoubleType).add("event_time", DataTypes.TimestampType);
        List<Row> rows = new ArrayList<>();
        Timestamp t = Timestamp.from(Instant.parse("2025-02-01T00:00:00Z"));
        long[][] pairs = {{1, 7}, {2, 7}, {3, 7}, {1, 8}, {2, 8}, {1, 9}};
        for (long[] p : pairs) {
            rows.add(RowFactory.create(user(p[0]), item(p[1]), 4.0, t));
        }
        write(spark.createDataFrame(rows, schema), lake, TableName.of("silver", "ratings"));
    }

    public static void popularItems(SparkSession spark, Lake lake) {
        StructType schema = new StructType().add(GoldTables.RANK, DataTypes.IntegerType)
                .add(GoldTables.ITEM_ID, DataTypes.StringType).add(GoldTables.SCORE, DataTypes.FloatType);
        List<Row> rows = List.of(RowFactory.create(2, item(55), 0.5f), RowFactory.create(1, item(44), 0.875f),
                RowFactory.create(3, item(66), 0.125f));
        write(spark.createDataFrame(rows, schema), lake, GoldTables.POPULAR_ITEMS);
    }

    /** Two rows per user in {@code <layer>.user_features}: the later feature_ts must win. */
    public static void userFeatures(SparkSession spark, Lake lake, String layer, int users) {
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("feature_ts", DataTypes.TimestampType)
                .add("clicks_7d", DataTypes.LongType).add("avg_rating", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        for (long u = 1; u <= users; u++) {
            rows.add(RowFactory.create(user(u), Timestamp.from(Instant.parse("2025-01-01T00:00:00Z")), 1L, 3.0));
            rows.add(RowFactory.create(user(u), Timestamp.from(Instant.parse("2025-01-02T00:00:00Z")), u * 10, 4.5));
        }
        write(spark.createDataFrame(rows, schema), lake, TableName.of(layer, "user_features"));
    }

    public static void write(Dataset<Row> df, Lake lake, TableName table) {
        df.write().format("delta").mode("overwrite").save(lake.location(table));
    }
}
