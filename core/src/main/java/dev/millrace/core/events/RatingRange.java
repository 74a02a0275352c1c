package dev.millrace.core.events;

import dev.millrace.core.config.MillraceConfig;
import java.io.Serializable;

/**
 * The allowed rating values, from {@code millrace.events.rating} in conf: the one definition that file ingest and both
 * streaming jobs check ratings against.
 *
 * @param min the lowest allowed rating (inclusive)
 * @param max the highest allowed rating (inclusive)
 */
public record RatingRange(double min, double max) implements Serializable {

    /** The path of the block in conf. */
    public static final String PATH = "millrace.events.rating";

    /** The range in the shipped defaults (conf/application.conf). */
    public static final RatingRange DEFAULT = from(MillraceConfig.defaults());

    public RatingRange {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
            throw new IllegalArgumentException(PATH + ": min " + min + " and max " + max + " are not a range");
        }
    }

    public static RatingRange from(MillraceConfig config) {
        return new RatingRange(config.getDouble(PATH + ".min"), config.getDouble(PATH + ".max"));
    }

    public boolean contains(double rating) {
        return rating >= min && rating <= max;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
