package dev.millrace.jobs.ingest;

import dev.millrace.core.keys.EntityKey;
import dev.millrace.core.keys.KeyNormalisation;

import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a record's raw field values into typed values for its entity and judges them: missing keys, values that do
 * not parse, ids that break the key rule (after the mapping's normalisation), negative weights, ratings and times
 * out of range. The first problem found is the row's reason; its detail names the field and the value.
 */
final class RecordValidator implements Serializable {

    private static final String[] NO_GENRES = new String[0];

    private final Entity entity;
    private final TimeFormat timeFormat;
    private final ValidationRules rules;
    private final boolean[] mapped;
    private final KeyNormalisation[] normalisation;
    private final boolean keepNegativeWeights;

    RecordValidator(SourceSpec spec, ValidationRules rules) {
        this.entity = spec.entity();
        this.timeFormat = spec.timeFormat();
        this.rules = rules;
        this.mapped = new boolean[entity.fields().size()];
        this.normalisation = new KeyNormalisation[mapped.length];
        for (int i = 0; i < mapped.length; i++) {
            Field f = entity.fields().get(i);
            mapped[i] = spec.columns().containsKey(f.name());
            if (f.type() == FieldType.ID) {
                normalisation[i] = spec.normalisation(f.name());
            }
        }
        this.keepNegativeWeights = spec.negativeWeights() == NegativeWeights.KEEP;
    }

    /** Validates raw values, in the entity's field order (null for empty or unmapped). */
    Outcome validate(String[] raw) {
        List<Field> fields = entity.fields();
        Outcome out = new Outcome(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            String v = raw[i];
            if (v == null || v.isEmpty()) {
                if (f.key()) {
                    out.reject(RejectReason.NULL_KEY, f.name() + " is empty");
                } else if (f.required() || (mapped[i] && f.name().equals("rating") && !mapped[entity.indexOf("weight")])) {
                    out.reject(RejectReason.MISSING_VALUE, f.name() + " is empty");
                } else if (f.name().equals("weight")) {
                    out.typed[i] = 1.0;
                } else if (f.type() == FieldType.GENRES) {
                    out.typed[i] = NO_GENRES;
                }
                continue;
            }
            if (f.type() == FieldType.ID) {
                if (v.isBlank() && normalisation[i].steps().contains(KeyNormalisation.Step.TRIM)) {
                    // Only blanks: as empty as an empty field once trimmed.
                    if (f.key()) {
                        out.reject(RejectReason.NULL_KEY, f.name() + " is blank");
                    }
                    continue;
                }
                try {
                    out.typed[i] = key(normalisation[i], v);
                } catch (IllegalArgumentException e) {
                    out.reject(RejectReason.BAD_KEY, f.name() + ": " + e.getMessage());
                }
                continue;
            }
            try {
                out.typed[i] = convert(f, v);
            } catch (IllegalArgumentException e) {
                out.reject(RejectReason.BAD_TYPE, f.name() + ": " + e.getMessage());
            }
        }
        checkRanges(out);
        return out;
    }

    /**
     * The normalised key. A plain decimal without a leading zero, the ids of every numeric feed, is already what each
     * step (trim, lower, integral) and the key rule would make of it, so it skips them: at tens of millions of rows
     * the BigDecimal parse of integral is measurable.
     */
    private static String key(KeyNormalisation normalisation, String v) {
        return isPlainInteger(v) ? v : normalisation.apply(v);
    }

    private static boolean isPlainInteger(String v) {
        int n = v.length();
        if (n == 0 || n > EntityKey.MAX_LENGTH || (v.charAt(0) == '0' && n > 1)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private Object convert(Field f, String v) {
        switch (f.type()) {
            case DOUBLE: {
                double d;
                try {
                    d = Double.parseDouble(v.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + TimeFormat.abbreviate(v) + "' is not a number");
                }
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("'" + v + "' is not a finite number");
                }
                return d;
            }
            case TIMESTAMP:
                return Timestamp.from(timeFormat.parse(v));
            case GENRES: {
                if (v.equals("(no genres listed)")) {
                    return NO_GENRES;
                }
                // An array, not a List: Spark's Row encoder takes arrays and Scala sequences only.
                return Arrays.stream(v.split("\\|")).filter(g -> !g.isBlank()).toArray(String[]::new);
            }
            default:
                return v;
        }
    }

    private void checkRanges(Outcome out) {
        if (out.rejected()) {
            return;
        }
        int r = entity.indexOf("rating");
        if (r >= 0 && out.typed[r] != null) {
            double rating = (Double) out.typed[r];
            if (rating < rules.ratingMin() || rating > rules.ratingMax()) {
                out.reject(RejectReason.RATING_OUT_OF_RANGE, "rating " + rating + " is outside ["
                        + rules.ratingMin() + ", " + rules.ratingMax() + "]");
            }
        }
        int w = entity.indexOf("weight");
        if (w >= 0 && out.typed[w] != null && (Double) out.typed[w] < 0 && !keepNegativeWeights) {
            out.reject(RejectReason.NEGATIVE_WEIGHT, "weight " + out.typed[w] + " is negative (the mapping's "
                    + "negative-weights = quarantine; keep stores it as negative feedback)");
        }
        int t = entity.indexOf("event_time");
        if (t >= 0 && out.typed[t] != null) {
            Instant time = ((Timestamp) out.typed[t]).toInstant();
            // The detail names the bound, not the run's clock: a re-run of the same file quarantines the same rows
            // with the same text (the crash harness compares them).
            if (time.isBefore(rules.timeMin())) {
                out.reject(RejectReason.TIMESTAMP_OUT_OF_RANGE, "event_time " + time + " is before "
                        + rules.timeMin() + " (millrace.ingest.event-time.min)");
            } else if (time.isAfter(rules.timeMax())) {
                out.reject(RejectReason.TIMESTAMP_OUT_OF_RANGE, "event_time " + time + " is later than the run's "
                        + "start plus " + rules.maxFuture() + " (millrace.events.max-future)");
            }
        }
    }
}
