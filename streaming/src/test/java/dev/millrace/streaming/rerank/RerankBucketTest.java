package dev.millrace.streaming.rerank;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Batching buckets are a hash of the string key: fixed per key, in range, and spread over the buckets. */
class RerankBucketTest {

    @Test
    void bucketsAreAStableHashOfTheKey() {
        // String.hashCode is defined by the Java spec: "42" hashes to 1662, so its bucket is 1662 mod 128 in any JVM.
        assertThat(RerankFunction.bucket("42")).isEqualTo(Math.floorMod(1662, RerankFunction.BUCKETS));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String key = UUID.nameUUIDFromBytes(("u" + i).getBytes()).toString();
            int b = RerankFunction.bucket(key);
            assertThat(b).isBetween(0, RerankFunction.BUCKETS - 1);
            assertThat(RerankFunction.bucket(new String(key))).isEqualTo(b);
            seen.add(b);
        }
        assertThat(seen).hasSize(RerankFunction.BUCKETS);
        assertThat(RerankFunction.bucket("-")).isNotNegative();
    }
}
