package dev.millrace.featurestore.offline;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The logical dates a features run covers. The snapshot of date D describes every entity at the end of day D (UTC):
 * it folds events with time strictly before D+1 00:00 UTC, and that instant is its {@code feature_ts}. This is the
 * scheduler's convention: the run for logical date D starts after D ends and sees all of D's events.
 */
public record SnapshotTimes(List<LocalDate> dates) {

    public SnapshotTimes {
        if (dates.isEmpty()) {
            throw new IllegalArgumentException("a features run needs at least one date");
        }
        dates = List.copyOf(new TreeSet<>(dates));
    }

    public static SnapshotTimes of(LocalDate... dates) {
        return new SnapshotTimes(List.of(dates));
    }

    /** Every {@code stepDays}-th date from {@code from} up to and including {@code to}. */
    public static SnapshotTimes range(LocalDate from, LocalDate to, int stepDays) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to " + to + " is before --from " + from);
        }
        if (stepDays < 1) {
            throw new IllegalArgumentException("the snapshot interval must be at least one day");
        }
        List<LocalDate> out = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(stepDays)) {
            out.add(d);
        }
        return new SnapshotTimes(out);
    }

    /** The exclusive upper bound of the events a date's snapshot folds: the next midnight, UTC. */
    public static Instant featureTs(LocalDate date) {
        return date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public Instant first() {
        return featureTs(dates.get(0));
    }

    public Instant last() {
        return featureTs(dates.get(dates.size() - 1));
    }
}
