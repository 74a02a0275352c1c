package dev.millrace.jobs.features;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

/**
 * Time-based train/validation/test split: every label at or after the validation cut is validation, at or after the
 * test cut test, the rest train. So the model is always judged on the future of what it learnt from (a random split
 * would let it learn from a user's later behaviour). Cuts are dates from conf, or approximate quantiles of the label
 * times (one small aggregate).
 */
public final class TimeSplit {

    public static final String SPLIT = "split";
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    /** The two cut instants. */
    public record Cuts(Instant validationFrom, Instant testFrom) {
    }

    private final TrainingSetSettings settings;

    public TimeSplit(TrainingSetSettings settings) {
        this.settings = settings;
    }

    /** The aggregate that finds the cuts from the fractions (exposed for gpu-plan). */
    public Dataset<Row> cutQuery(Dataset<Row> labels, String timeColumn) {
        double v = 1.0 - settings.validationFraction() - settings.testFraction();
        double t = 1.0 - settings.testFraction();
        // On microseconds rather than the timestamp: RAPIDS' percentile_approx takes numbers, not timestamps.
        return labels.agg(percentile_approx(unix_micros(col(timeColumn)), array(lit(v), lit(t)), lit(100_000))
                .as("cuts"));
    }

    public Cuts cuts(Dataset<Row> labels, String timeColumn) {
        if (settings.validationFrom().isPresent()) {
            return new Cuts(settings.validationFrom().get().atStartOfDay(ZoneOffset.UTC).toInstant(),
                    settings.testFrom().orElseThrow().atStartOfDay(ZoneOffset.UTC).toInstant());
        }
        Row row = cutQuery(labels, timeColumn).first();
        if (row.isNullAt(0)) {
            throw new IllegalStateException("no labels to split: the label table is empty for the chosen dates");
        }
        java.util.List<Long> cuts = row.getList(0);
        return new Cuts(micros(cuts.get(0)), micros(cuts.get(1)));
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** Adds the {@code split} column. */
    public static Dataset<Row> assign(Dataset<Row> labels, String timeColumn, Cuts cuts) {
        Column t = col(timeColumn);
        return labels.withColumn(SPLIT, when(t.geq(lit(Timestamp.from(cuts.testFrom()))), lit(TEST))
                .when(t.geq(lit(Timestamp.from(cuts.validationFrom()))), lit(VALIDATION))
                .otherwise(lit(TRAIN)));
    }
}
