package dev.millrace.jobs.stream;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.RatingRange;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;

import java.time.Duration;

/**
 * The settings of {@code stream spark}, from {@code millrace.stream.spark} (see conf/application.conf and
 * docs/streaming.md).
 *
 * @param topic                the events topic (JSON records, the contract of {@code dev.millrace.core.events.Event})
 * @param dlqTopic             where rejected records go, one {@code DlqRecord} JSON each
 * @param dlqPartitions        partitions of the DLQ topic when this job creates it
 * @param table                the Delta table valid events are appended to
 * @param checkpoint           Spark's checkpoint folder (offsets and commits), plus this job's watermark log
 * @param trigger              micro-batch interval (0: the next batch starts as soon as the last one ends)
 * @param maxOffsetsPerTrigger records per micro-batch at most, over all partitions (0: no limit)
 * @param allowedLateness      how far behind the watermark an event may be before it counts as late
 * @param startingOffsets      where a new query starts reading (earliest or latest); a restart resumes from its checkpoint
 * @param idleTimeout          {@code --until-idle} stops after this long without new records
 * @param scoring              the model that scores each valid event
 * @param ratings              the event contract's rating range, {@code millrace.events.rating} (file ingest's too)
 * @param maxFuture            events later than now plus this are rejected as future_event,
 *                             {@code millrace.events.max-future} (file ingest's too)
 */
public record SparkStreamSettings(String topic, String dlqTopic, int dlqPartitions, TableName table, String checkpoint,
                                  Duration trigger, long maxOffsetsPerTrigger, Duration allowedLateness,
                                  String startingOffsets, Duration idleTimeout, ScoringSettings scoring,
                                  RatingRange ratings, Duration maxFuture) {

    static final String PREFIX = "millrace.stream.spark.";

    public SparkStreamSettings {
        if (topic.isBlank() || dlqTopic.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "topic and " + PREFIX + "dlq-topic must be set");
        }
        if (topic.equals(dlqTopic)) {
            throw new IllegalArgumentException(PREFIX + "dlq-topic must differ from the events topic '" + topic + "'");
        }
        if (maxOffsetsPerTrigger < 0 || dlqPartitions < 1) {
            throw new IllegalArgumentException(PREFIX + "max-offsets-per-trigger must be >= 0 and dlq-partitions >= 1");
        }
        if (!startingOffsets.equals("earliest") && !startingOffsets.equals("latest")) {
            throw new IllegalArgumentException(PREFIX + "starting-offsets must be earliest or latest, got " + startingOffsets);
        }
    }

    public static SparkStreamSettings from(MillraceConfig c) {
        String checkpoint = c.getString(PREFIX + "checkpoint");
        if (checkpoint.isBlank()) {
            checkpoint = Lake.from(c).root() + "/_checkpoints/stream-spark";
        }
        return new SparkStreamSettings(
                c.getString(PREFIX + "topic"),
                c.getString(PREFIX + "dlq-topic"),
                c.getInt(PREFIX + "dlq-partitions"),
                TableName.parse(c.getString(PREFIX + "table")),
                checkpoint,
                c.getDuration(PREFIX + "trigger"),
                c.getLong(PREFIX + "max-offsets-per-trigger"),
                c.getDuration(PREFIX + "allowed-lateness"),
                c.getString(PREFIX + "starting-offsets"),
                c.getDuration(PREFIX + "idle-timeout"),
                ScoringSettings.from(c, PREFIX + "scoring"),
                RatingRange.from(c),
                EventValidator.maxFuture(c));
    }

    /** The validator of the events topic's records, with the conf's rating range and max-future (system clock). */
    public EventValidator validator() {
        return new EventValidator(ratings, maxFuture);
    }
}
