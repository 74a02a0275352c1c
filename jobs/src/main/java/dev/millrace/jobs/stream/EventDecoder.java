package dev.millrace.jobs.stream;

import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventJson;
import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.Rejection;
import dev.millrace.core.events.ValidationResult;
import dev.millrace.core.spark.SparkSchemas;
import dev.millrace.core.tables.BronzeEvents;
import dev.millrace.core.tables.Column;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns Kafka records (value, topic, partition, offset) into decoded rows with the shared rules of
 * {@link EventValidator}: a valid event's typed fields, or the rejection's reason and detail plus the raw text for the
 * DLQ. An otherwise valid event older than {@code watermark - allowedLateness} is rejected as {@code late_event};
 * the watermark is the largest event time of the earlier micro-batches, so a re-run batch decides the same way.
 */
final class EventDecoder implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** The event contract's fields, in the order of the decoded rows. */
    private static final List<String> EVENT_COLUMNS = List.of(EventJson.EVENT_ID, EventJson.USER_ID, EventJson.ITEM_ID,
            EventJson.EVENT_TYPE, EventJson.RATING, EventJson.EVENT_TIME);

    /**
     * Decoded rows: the event's columns as bronze.events types them (keys are strings), nullable since a reject has
     * none, then the rejection and the Kafka coordinates; {@code reason} is null exactly for valid events.
     */
    static final StructType SCHEMA = schema();

    private final EventValidator validator;
    private final Long watermarkMillis;
    private final long allowedLatenessMillis;

    EventDecoder(EventValidator validator, OptionalLong watermarkMillis, long allowedLatenessMillis) {
        this.validator = validator;
        this.watermarkMillis = watermarkMillis.isPresent() ? watermarkMillis.getAsLong() : null;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Row next() {
                return decode(records.next());
            }
        };
    }

    private static StructType schema() {
        StructType s = new StructType();
        for (String name : EVENT_COLUMNS) {
            Column c = BronzeEvents.CONTRACT.columns().stream().filter(col -> col.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("bronze.events has no column " + name));
            s = s.add(name, SparkSchemas.type(c), true);
        }
        return s.add("reason", DataTypes.StringType)
                .add("detail", DataTypes.StringType)
                .add("raw", DataTypes.StringType)
                .add("kafka_topic", DataTypes.StringType)
                .add(BronzeEvents.KAFKA_PARTITION, DataTypes.IntegerType)
                .add(BronzeEvents.KAFKA_OFFSET, DataTypes.LongType);
    }

    /** Decodes one Kafka row: value (binary), topic, partition, offset. */
    Row decode(Row kafka) {
        byte[] value = kafka.isNullAt(0) ? null : (byte[]) kafka.get(0);
        String topic = kafka.getString(1);
        int partition = kafka.getInt(2);
        long offset = kafka.getLong(3);
        ValidationResult result = validator.validate(value);
        if (result instanceof ValidationResult.Valid valid) {
            Event e = valid.event();
            if (watermarkMillis != null && e.eventTimeMillis() < watermarkMillis - allowedLatenessMillis) {
                result = Rejection.late(e.eventTimeMillis(), watermarkMillis, allowedLatenessMillis);
            } else {
                return RowFactory.create(e.eventId(), e.userId(), e.itemId(), e.eventType().code(), e.rating(),
                        Timestamp.from(e.eventTime()), null, null, null, topic, partition, offset);
            }
        }
        Rejection r = (Rejection) result;
        String raw = value == null ? null : new String(value, StandardCharsets.UTF_8);
        return RowFactory.create(null, null, null, null, null, null, r.reason().code(), r.detail(), raw,
                topic, partition, offset);
    }
}
