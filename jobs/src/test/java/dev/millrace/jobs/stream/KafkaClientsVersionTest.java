package dev.millrace.jobs.stream;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kafka-clients on the jobs module's class path (the one the shaded jar and bin/millrace carry) is a release
 * without CVE-2026-35554 (records sent to the wrong topic): 3.9.2 or later.
 */
class KafkaClientsVersionTest {

    @Test
    void theBundledKafkaClientsIsAtLeast392() {
        String version = AppInfoParser.getVersion();
        int[] parts = Arrays.stream(version.split("[.-]")).limit(3).mapToInt(Integer::parseInt).toArray();
        assertThat(Arrays.compare(parts, new int[] {3, 9, 2})).as("kafka-clients " + version).isGreaterThanOrEqualTo(0);
    }
}
