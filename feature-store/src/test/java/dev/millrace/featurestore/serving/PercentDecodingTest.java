package dev.millrace.featurestore.serving;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Percent-decoding of one path segment: UTF-8, '+' is itself, and every malformed input a 400 with a reason. */
class PercentDecodingTest {

    @Test
    void decodesUtf8EscapesAndLeavesEverythingElse() {
        assertThat(PercentDecoding.decode("id", "B00X4WHP5E")).isEqualTo("B00X4WHP5E");
        assertThat(PercentDecoding.decode("id", "a%2Fb")).isEqualTo("a/b");
        assertThat(PercentDecoding.decode("id", "a%2fb")).isEqualTo("a/b");
        assertThat(PercentDecoding.decode("id", "a+b%20c")).isEqualTo("a+b c");
        assertThat(PercentDecoding.decode("id", "%C3%BCn%E5%95%86%F0%9F%8E%AC")).isEqualTo("ün商🎬");
        assertThat(PercentDecoding.decode("id", "%252F")).isEqualTo("%2F");
        assertThat(PercentDecoding.decode("id", "")).isEmpty();
    }

    @Test
    void malformedEscapesAndBytesAreRefusedWithTheReason() {
        for (String bad : new String[] {"a%", "a%4", "a%zz", "%%41", "%G0"}) {
            assertThatThrownBy(() -> PercentDecoding.decode("user id", bad)).as(bad).isInstanceOf(HttpError.class)
                    .hasMessageContaining("user id").hasMessageContaining("two hex digits")
                    .satisfies(e -> assertThat(((HttpError) e).status()).isEqualTo(400));
        }
        for (String bad : new String[] {"%FF", "%C3%28", "%ED%A0%80", "%C3"}) {
            assertThatThrownBy(() -> PercentDecoding.decode("id", bad)).as(bad).isInstanceOf(HttpError.class)
                    .hasMessageContaining("not UTF-8");
        }
        assertThatThrownBy(() -> PercentDecoding.decode("id", "caf\u00c3\u00a9")).isInstanceOf(HttpError.class)
                .hasMessageContaining("must be percent-encoded");
        assertThatThrownBy(() -> PercentDecoding.decode("id", "%41caf\u00e9")).isInstanceOf(HttpError.class)
                .hasMessageContaining("must be percent-encoded");
    }
}
