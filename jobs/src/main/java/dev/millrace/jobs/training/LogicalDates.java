package dev.millrace.jobs.training;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.apache.spark.sql.functions.max;

/**
 * The logical date of a run: {@code --date} (the scheduler passes its {@code ds}), else the date of the latest
 * interaction in the labels table, the same default as {@code features}.
 */
public final class LogicalDates {

    private LogicalDates() {
    }

    public static LocalDate resolve(Optional<LocalDate> given, SparkSession spark, String labelsTable) {
        if (given.isPresent()) {
            return given.get();
        }
        Row r = spark.table(labelsTable).agg(max("event_time")).first();
        if (r.isNullAt(0)) {
            throw new IllegalStateException(labelsTable + " is empty: ingest data first or give --date");
        }
        return r.getTimestamp(0).toInstant().atZone(ZoneOffset.UTC).toLocalDate();
    }
}
