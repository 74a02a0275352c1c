package dev.millrace.streaming.flink;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.RatingRange;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Flink job's settings, from {@code millrace.stream.flink} (see conf/application.conf for each key), plus the
 * event contract's rating range and upper bound on event time from {@code millrace.events}: the settings file
 * ingest checks too.
 */
public record FlinkStreamSettings(String topic, String dlqTopic, int dlqPartitions, String consumerGroup,
                                  String startingOffsets, int parallelism, Duration checkpointInterval,
                                  String checkpointDir, Duration maxOutOfOrderness, Duration allowedLateness,
                                  int restartAttempts, Duration restartDelay, Duration transactionTimeout,
                                  String bronzeTablePath, String bronzeAppId, String featureEntity, int lastN,
                                  Duration featureTtl, RatingRange ratings, Duration maxFuture) implements Serializable {

    private static final String P = "millrace.stream.flink.";

    public static FlinkStreamSettings from(MillraceConfig c) {
        Lake lake = Lake.from(c);
        String checkpointDir = c.getString(P + "checkpoint-dir");
        if (checkpointDir.isBlank()) {
            checkpointDir = lake.root().replaceAll("/+$", "") + "/_checkpoints/stream-flink";
        }
        if (!checkpointDir.contains(":")) {
            checkpointDir = Path.of(checkpointDir).toAbsolutePath().toUri().toString();
        }
        String table = lake.location(TableName.parse(c.getString(P + "bronze.table")));
        return new FlinkStreamSettings(c.getString(P + "topic"), c.getString(P + "dlq-topic"), c.getInt(P + "dlq-partitions"),
                c.getString(P + "consumer-group"), c.getString(P + "starting-offsets"), c.getInt(P + "parallelism"),
                c.getDuration(P + "checkpoint-interval"), checkpointDir, c.getDuration(P + "max-out-of-orderness"),
                c.getDuration(P + "allowed-lateness"), c.getInt(P + "restart-attempts"), c.getDuration(P + "restart-delay"),
                c.getDuration(P + "transaction-timeout"), table, c.getString(P + "bronze.app-id"),
                c.getString(P + "features.entity"), c.getInt(P + "features.last-n"), c.getDuration(P + "features.ttl"),
                RatingRange.from(c), EventValidator.maxFuture(c));
    }

    /** The validator of the events topic's records, with the conf's rating range and max-future (system clock). */
    public EventValidator validator() {
        return new EventValidator(ratings, maxFuture);
    }
}
