package dev.millrace.core.tables;

import static dev.millrace.core.tables.Column.optional;
import static dev.millrace.core.tables.Column.required;

import dev.millrace.core.events.EventJson;
import dev.millrace.core.lake.TableName;
import java.util.List;

/**
 * {@code bronze.events}: valid Kafka events as both streaming jobs (Flink through Delta Kernel, Spark Structured
 * Streaming) append them, partitioned by event date. The event contract's fields (keys as strings), the Kafka
 * coordinates, the ingestion time and a nullable model score (the Flink job leaves it null).
 */
public final class BronzeEvents {

    public static final String EVENT_DATE = "event_date";
    public static final String KAFKA_PARTITION = "kafka_partition";
    public static final String KAFKA_OFFSET = "kafka_offset";
    public static final String INGESTED_AT = "_ingested_at";
    public static final String SCORE = "score";

    public static final TableContract CONTRACT = new TableContract(TableName.of("bronze", "events"), List.of(
            required(EventJson.EVENT_ID, ColumnType.STRING),
            required(EventJson.USER_ID, ColumnType.STRING),
            required(EventJson.ITEM_ID, ColumnType.STRING),
            required(EventJson.EVENT_TYPE, ColumnType.STRING),
            optional(EventJson.RATING, ColumnType.DOUBLE),
            required(EventJson.EVENT_TIME, ColumnType.TIMESTAMP),
            required(EVENT_DATE, ColumnType.DATE),
            required(KAFKA_PARTITION, ColumnType.INT),
            required(KAFKA_OFFSET, ColumnType.LONG),
            required(INGESTED_AT, ColumnType.TIMESTAMP),
            optional(SCORE, ColumnType.FLOAT)),
            List.of(EVENT_DATE));

    private BronzeEvents() {
    }
}
