package dev.millrace.jobs.ingest;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;

/**
 * How a source writes event times: {@code epoch_seconds} (fractions allowed), {@code epoch_millis}, {@code iso}
 * (ISO-8601 with an offset, or local and read in the zone) or a {@code java.time} pattern such as
 * {@code yyyy-MM-dd HH:mm:ss} read in the zone.
 */
public final class TimeFormat implements Serializable {

    private final String format;
    private final String zone;
    private transient DateTimeFormatter formatter;

    public TimeFormat(String format, String zone) {
        this.format = format;
        this.zone = zone;
        ZoneId.of(zone);
        if (isPattern()) {
            DateTimeFormatter.ofPattern(format);
        }
    }

    private boolean isPattern() {
        return !format.equals("epoch_seconds") && !format.equals("epoch_millis") && !format.equals("iso");
    }

    /** Parses a value; throws {@link IllegalArgumentException} with a readable message when it does not fit. */
    public Instant parse(String value) {
        String v = value.trim();
        try {
            switch (format) {
                case "epoch_seconds": {
                    if (v.indexOf('.') >= 0 || v.indexOf('e') >= 0 || v.indexOf('E') >= 0) {
                        double d = Double.parseDouble(v);
                        if (!Double.isFinite(d)) {
                            throw new NumberFormatException();
                        }
                        long s = (long) Math.floor(d);
                        return Instant.ofEpochSecond(s, Math.round((d - s) * 1e9));
                    }
                    return Instant.ofEpochSecond(Long.parseLong(v));
                }
                case "epoch_millis":
                    return Instant.ofEpochMilli(Long.parseLong(v));
                case "iso": {
                    try {
                        return OffsetDateTime.parse(v).toInstant();
                    } catch (DateTimeParseException e) {
                        return LocalDateTime.parse(v).atZone(ZoneId.of(zone)).toInstant();
                    }
                }
                default: {
                    if (formatter == null) {
                        formatter = DateTimeFormatter.ofPattern(format).withZone(ZoneId.of(zone));
                    }
                    TemporalAccessor t = formatter.parse(v);
                    return Instant.from(t);
                }
            }
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("'" + abbreviate(v) + "' is not a time in format " + format);
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    @Override
    public String toString() {
        return format + " (" + zone + ")";
    }
}
