package dev.millrace.streaming.flink;

import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.Rejection;
import dev.millrace.core.events.ValidationResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Validates each Kafka record as it is read (core's {@link EventValidator}), so that the source can take event-time
 * watermarks per partition from valid events; a broken record becomes a rejection and never stops the job.
 */
public final class EventDeserializer implements KafkaRecordDeserializationSchema<Validated> {

    private static final long serialVersionUID = 1L;
    private final EventValidator validator;

    public EventDeserializer(EventValidator validator) {
        this.validator = validator;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Validated> out) {
        String raw = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        ValidationResult r = validator.validate(raw);
        if (r instanceof ValidationResult.Valid ok) {
            out.collect(Validated.ofEvent(ok.event(), raw, record.topic(), record.partition(), record.offset(), record.timestamp()));
        } else {
            out.collect(Validated.ofRejection((Rejection) r, raw, record.topic(), record.partition(), record.offset(),
                    record.timestamp(), System.currentTimeMillis()));
        }
    }

    @Override
    public TypeInformation<Validated> getProducedType() {
        return TypeInformation.of(Validated.class);
    }
}
