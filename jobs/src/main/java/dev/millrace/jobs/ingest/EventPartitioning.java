package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import org.apache.spark.sql.Column;

import java.util.Locale;

import static org.apache.spark.sql.functions.trunc;

/**
 * The date part of an event table's partitioning: {@code event_period} is the event date truncated to the
 * granularity of {@code millrace.lake.date-partition} (day, month or year), so partition sizes can follow the data's
 * volume instead of making thousands of tiny folders for sparse history.
 */
public final class EventPartitioning implements java.io.Serializable {

    public static final String PERIOD = "event_period";

    private final String granularity;

    public EventPartitioning(String granularity) {
        String g = granularity.toLowerCase(Locale.ROOT);
        if (!g.equals("day") && !g.equals("month") && !g.equals("year")) {
            throw new IllegalArgumentException("millrace.lake.date-partition must be day, month or year, got '"
                    + granularity + "'");
        }
        this.granularity = g;
    }

    public static EventPartitioning from(MillraceConfig config) {
        return new EventPartitioning(config.getString("millrace.lake.date-partition"));
    }

    public String granularity() {
        return granularity;
    }

    /** The partition value for a DATE column. */
    public Column period(Column eventDate) {
        return switch (granularity) {
            case "day" -> eventDate;
            case "month" -> trunc(eventDate, "month");
            default -> trunc(eventDate, "year");
        };
    }
}
