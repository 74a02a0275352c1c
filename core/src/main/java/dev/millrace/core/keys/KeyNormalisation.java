package dev.millrace.core.keys;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-column key normalisation a mapping may ask for, applied in order before the key rule of {@link EntityKey}:
 * {@code trim} (strip surrounding white space), {@code lower} (lower-case, locale-independent), {@code integral}
 * (a number with no fractional part becomes its integer text: {@code 40213.0} and {@code 040213} become
 * {@code 40213}; anything else is rejected with a reason). Written in a mapping as a list: {@code [trim, integral]}.
 */
public final class KeyNormalisation implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One step of a normalisation. */
    public enum Step {
        TRIM, LOWER, INTEGRAL;

        public static Step parse(String name) {
            for (Step s : values()) {
                if (s.name().equalsIgnoreCase(name.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown key normalisation '" + name + "'; expected trim, lower or integral");
        }
    }

    /** No normalisation: the key must already follow the rule. */
    public static final KeyNormalisation NONE = new KeyNormalisation(List.of());

    private final List<Step> steps;

    public KeyNormalisation(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** Parses step names ({@code ["trim", "integral"]}). */
    public static KeyNormalisation parse(List<String> names) {
        List<Step> steps = new ArrayList<>();
        for (String n : names) {
            steps.add(Step.parse(n));
        }
        return new KeyNormalisation(steps);
    }

    public List<Step> steps() {
        return steps;
    }

    /**
     * The normalised key; throws {@link IllegalArgumentException} with the reason (without the field name) when the
     * value cannot be normalised or the result breaks the key rule.
     */
    public String apply(String raw) {
        String v = raw;
        for (Step s : steps) {
            v = switch (s) {
                case TRIM -> v.strip();
                case LOWER -> v.toLowerCase(Locale.ROOT);
                case INTEGRAL -> integral(v);
            };
        }
        String checked = v;
        EntityKey.problem(checked).ifPresent(p -> {
            throw new IllegalArgumentException("'" + EntityKey.abbreviate(raw) + "' " + p);
        });
        return checked;
    }

    private static String integral(String v) {
        BigDecimal d;
        try {
            d = new BigDecimal(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + EntityKey.abbreviate(v) + "' is not an integral number");
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + EntityKey.abbreviate(v) + "' has a fractional part");
        }
        return d.setScale(0).toPlainString();
    }

    @Override
    public String toString() {
        return steps.isEmpty() ? "none" : steps.toString().toLowerCase(Locale.ROOT);
    }
}
