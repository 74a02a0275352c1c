package dev.millrace.core.tables;

import dev.millrace.core.lake.TableName;

/**
 * The gold tables {@code score} writes and {@code publish} (and the demo, and SQL users) read, with their column
 * names. {@code gold.recommendations}: one row per user, {@code user_id STRING, items ARRAY<STRUCT<item_id STRING,
 * score FLOAT>>, model_version, run_id, generated_at}. {@code gold.popular_items}: {@code rank INT, item_id STRING,
 * score}, the fallback list for users without recommendations.
 */
public final class GoldTables {

    public static final TableName RECOMMENDATIONS = TableName.of("gold", "recommendations");
    public static final TableName POPULAR_ITEMS = TableName.of("gold", "popular_items");

    public static final String USER_ID = "user_id";
    public static final String ITEMS = "items";
    public static final String ITEM_ID = "item_id";
    public static final String SCORE = "score";
    public static final String RANK = "rank";
    public static final String MODEL_VERSION = "model_version";
    public static final String RUN_ID = "run_id";
    public static final String GENERATED_AT = "generated_at";

    private GoldTables() {
    }
}
