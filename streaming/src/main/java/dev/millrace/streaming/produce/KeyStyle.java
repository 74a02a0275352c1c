package dev.millrace.streaming.produce;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * How generated events name their users and items ({@code millrace.kafka.produce.keys} or {@code produce --keys}):
 * {@code numeric} keeps the decimal ids of old ({@code "42"}), {@code uuid} gives feeds keyed like real ones: UUID
 * users and SKU-like items ({@code B0000004HX}). Keys are a pure function of the index, so a seed gives the same keys
 * in every run.
 */
public enum KeyStyle {
    NUMERIC, UUID;

    /** Items are numbered 1..n; a multiplier coprime with 36 spreads neighbours over the code space, one to one. */
    private static final long SKU_SPACE = 2_821_109_907_456L; // 36^8
    private static final long SKU_STEP = 1_000_003L;

    public static KeyStyle parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keys must be numeric or uuid, got '" + name + "'", e);
        }
    }

    /** The key of user number {@code index} (1-based). */
    public String user(long index) {
        return switch (this) {
            case NUMERIC -> Long.toString(index);
            case UUID -> java.util.UUID.nameUUIDFromBytes(("millrace-user-" + index).getBytes(StandardCharsets.UTF_8))
                    .toString();
        };
    }

    /** The key of item number {@code index} (1-based). */
    public String item(long index) {
        return switch (this) {
            case NUMERIC -> Long.toString(index);
            case UUID -> {
                String code = Long.toString(Math.floorMod(index * SKU_STEP, SKU_SPACE), 36).toUpperCase(Locale.ROOT);
                yield "B0" + "0".repeat(8 - code.length()) + code;
            }
        };
    }
}
