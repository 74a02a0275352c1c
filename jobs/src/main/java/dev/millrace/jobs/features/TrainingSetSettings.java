package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.TableName;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** {@code millrace.training-set}, read and checked once. */
public record TrainingSetSettings(TableName table, TableName labels, boolean implicit, List<String> entities,
                                  Optional<Duration> maxFeatureAge, Optional<LocalDate> validationFrom,
                                  Optional<LocalDate> testFrom, double validationFraction, double testFraction,
                                  int negativeRatio, long seed, int oversample,
                                  long catalogueBucketSize) {

    private static final String ROOT = "millrace.training-set";

    public static TrainingSetSettings from(MillraceConfig c) {
        String label = c.getString(ROOT + ".label");
        if (!label.equals("implicit") && !label.equals("explicit")) {
            throw new IllegalArgumentException(ROOT + ".label must be implicit or explicit, got '" + label + "'");
        }
        String age = c.getString(ROOT + ".max-feature-age");
        Optional<Duration> maxAge = "none".equals(age) ? Optional.empty()
                : Optional.of(c.getDuration(ROOT + ".max-feature-age"));
        double vf = c.getDouble(ROOT + ".split.validation-fraction");
        double tf = c.getDouble(ROOT + ".split.test-fraction");
        if (vf < 0 || tf < 0 || vf + tf >= 1) {
            throw new IllegalArgumentException(ROOT + ".split fractions must be >= 0 and leave some training data");
        }
        Optional<LocalDate> vFrom = date(c, ROOT + ".split.validation-from");
        Optional<LocalDate> tFrom = date(c, ROOT + ".split.test-from");
        if (vFrom.isPresent() != tFrom.isPresent()) {
            throw new IllegalArgumentException(ROOT + ".split: give both validation-from and test-from, or neither");
        }
        if (vFrom.isPresent() && tFrom.get().isBefore(vFrom.get())) {
            throw new IllegalArgumentException(ROOT + ".split: test-from is before validation-from");
        }
        int ratio = c.getInt(ROOT + ".negatives.ratio");
        int oversample = c.getInt(ROOT + ".negatives.oversample");
        long bucketSize = c.getLong(ROOT + ".negatives.catalogue-bucket-size");
        if (ratio < 0 || oversample < 1 || bucketSize < 1) {
            throw new IllegalArgumentException(ROOT + ".negatives: ratio must be >= 0, oversample >= 1 and "
                    + "catalogue-bucket-size >= 1");
        }
        return new TrainingSetSettings(TableName.parse(c.getString(ROOT + ".table")),
                TableName.parse(c.getString(ROOT + ".labels")), label.equals("implicit"),
                c.getStringList(ROOT + ".entities"), maxAge, vFrom, tFrom, vf, tf, ratio,
                c.getLong(ROOT + ".negatives.seed"), oversample, bucketSize);
    }

    private static Optional<LocalDate> date(MillraceConfig c, String path) {
        String s = c.getString(path);
        return s.isBlank() ? Optional.empty() : Optional.of(LocalDate.parse(s));
    }
}
