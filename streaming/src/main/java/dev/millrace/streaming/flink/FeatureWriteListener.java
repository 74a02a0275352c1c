package dev.millrace.streaming.flink;

import java.io.Serializable;

/** Told after each online-store write has returned (the value is then visible to readers); for latency measurements. */
@FunctionalInterface
public interface FeatureWriteListener extends Serializable {

    /** @param sourceTimestamp the Kafka timestamp of the event behind the value; {@code visibleAt} wall-clock millis */
    void written(String userId, long sourceTimestamp, long visibleAt);

    /** Listens to nothing. */
    static FeatureWriteListener none() {
        return (u, s, v) -> { };
    }
}
