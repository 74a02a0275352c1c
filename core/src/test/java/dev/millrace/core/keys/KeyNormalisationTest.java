package dev.millrace.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyNormalisationTest {

    @Test
    void integralTurnsSpreadsheetNumbersIntoTheirIntegerText() {
        KeyNormalisation n = KeyNormalisation.parse(List.of("trim", "integral"));
        assertThat(n.apply("40213.0")).isEqualTo("40213");
        assertThat(n.apply(" 40213 ")).isEqualTo("40213");
        assertThat(n.apply("040213.000")).isEqualTo("40213");
        assertThat(n.apply("0.0")).isEqualTo("0");
        assertThatThrownBy(() -> n.apply("40213.5")).hasMessageContaining("fractional part");
        assertThatThrownBy(() -> n.apply("B00X4WHP5E")).hasMessageContaining("not an integral number");
    }

    @Test
    void trimAndLowerThenTheKeyRule() {
        assertThat(KeyNormalisation.parse(List.of("trim", "lower")).apply("  7340-RED ")).isEqualTo("7340-red");
        assertThat(KeyNormalisation.NONE.apply("B00X4WHP5E")).isEqualTo("B00X4WHP5E");
        assertThatThrownBy(() -> KeyNormalisation.NONE.apply(" x")).hasMessageContaining("white space");
        assertThatThrownBy(() -> KeyNormalisation.NONE.apply("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> KeyNormalisation.NONE.apply("x".repeat(EntityKey.MAX_LENGTH + 1)))
                .hasMessageContaining("at most 128");
        assertThatThrownBy(() -> KeyNormalisation.NONE.apply("a\tb")).hasMessageContaining("control character");
        assertThatThrownBy(() -> KeyNormalisation.parse(List.of("upper"))).hasMessageContaining("unknown key normalisation");
    }

    @Test
    void unicodeKeysWithinTheRuleAreKept() {
        assertThat(EntityKey.isValid("Zoë/7 #ä")).isTrue();
        assertThat(EntityKey.isValid("x".repeat(EntityKey.MAX_LENGTH))).isTrue();
    }
}
