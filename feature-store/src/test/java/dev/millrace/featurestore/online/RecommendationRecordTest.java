package dev.millrace.featurestore.online;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary value of a recommendation list: string ids round trip, format 1 still reads, corruption is refused. */
class RecommendationRecordTest {

    private static final String[] IDS = {"B00X4WHP5E", "7340-RED", "356", "ünïcødé-商品-🎬", "a/b:c d",
            "x".repeat(128), "商".repeat(128), "🎬".repeat(64)};

    private static RecommendationRecord sample() {
        double[] scores = new double[IDS.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 1.0 / (i + 1);
        }
        scores[2] = Double.NaN;
        return new RecommendationRecord("mv-ü", "run-1", Instant.parse("2025-03-01T00:00:00Z"), IDS.clone(), scores);
    }

    @Test
    void stringIdsRoundTripIncludingUnicodeAndTheLongestKeys() {
        RecommendationRecord r = sample();
        byte[] bytes = r.encode();
        assertThat(bytes[0]).isEqualTo(RecommendationRecord.FORMAT).isEqualTo((byte) 2);
        RecommendationRecord back = RecommendationRecord.decode(bytes);
        assertThat(back).isEqualTo(r);
        assertThat(back.itemIds()).containsExactly(IDS);
        assertThat(back.itemIds()[5]).hasSize(128);
        assertThat(back.itemIds()[6]).hasSize(128);
        assertThat(Double.isNaN(back.scores()[2])).isTrue();
        assertThat(back.generatedAt()).isEqualTo(Instant.parse("2025-03-01T00:00:00Z"));
        assertThat(back.modelVersion()).isEqualTo("mv-ü");
    }

    @Test
    void emptyListAndNoTimestamp() {
        RecommendationRecord empty = new RecommendationRecord("popularity", null, null, new String[0], new double[0]);
        RecommendationRecord back = RecommendationRecord.decode(empty.encode());
        assertThat(back).isEqualTo(empty);
        assertThat(back.size()).isZero();
        assertThat(back.generatedAt()).isNull();
        assertThat(back.runId()).isEmpty();
    }

    @Test
    void decodingTheTopKReadsOnlyThoseItems() {
        byte[] bytes = sample().encode();
        RecommendationRecord top = RecommendationRecord.decode(bytes, 2);
        assertThat(top.itemIds()).containsExactly("B00X4WHP5E", "7340-RED");
        assertThat(top.scores()).containsExactly(1.0, 0.5);
        assertThat(RecommendationRecord.decode(bytes, 100).itemIds()).containsExactly(IDS);
        assertThat(RecommendationRecord.decode(bytes, 0).size()).isZero();
    }

    @Test
    void formatOneValuesStillDecodeWithTheirIdsAsDecimalText() {
        byte[] mv = "m1".getBytes(StandardCharsets.UTF_8);
        ByteBuffer v1 = ByteBuffer.allocate(1 + 2 + mv.length + 2 + 8 + 4 + 2 * 16);
        v1.put((byte) 1).putShort((short) mv.length).put(mv).putShort((short) 0).putLong(Long.MIN_VALUE).putInt(2)
                .putLong(356).putDouble(0.9).putLong(-7).putDouble(0.1);
        RecommendationRecord r = RecommendationRecord.decode(v1.array());
        assertThat(r.modelVersion()).isEqualTo("m1");
        assertThat(r.itemIds()).containsExactly("356", "-7");
        assertThat(r.scores()).containsExactly(0.9, 0.1);
        assertThat(r.generatedAt()).isNull();
        assertThat(RecommendationRecord.decode(v1.array(), 1).itemIds()).containsExactly("356");
        // Re-encoding writes format 2.
        assertThat(r.encode()[0]).isEqualTo((byte) 2);
    }

    @Test
    void corruptTruncatedAndUnknownValuesAreRefused() {
        byte[] bytes = sample().encode();
        assertThatThrownBy(() -> RecommendationRecord.decode(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("truncated");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> RecommendationRecord.decode(longer)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt");
        byte[] unknown = bytes.clone();
        unknown[0] = 9;
        assertThatThrownBy(() -> RecommendationRecord.decode(unknown)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown recommendation format 9");
        byte[] huge = new RecommendationRecord("", "", null, new String[0], new double[0]).encode();
        ByteBuffer.wrap(huge).putInt(huge.length - 4, Integer.MAX_VALUE);
        assertThatThrownBy(() -> RecommendationRecord.decode(huge)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void nullIdsAndMismatchedLengthsAreRefused() {
        assertThatThrownBy(() -> new RecommendationRecord("m", "r", null, new String[] {"a", null}, new double[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> new RecommendationRecord("m", "r", null, new String[] {"a"}, new double[2]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
