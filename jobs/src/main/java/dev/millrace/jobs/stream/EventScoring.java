package dev.millrace.jobs.stream;

import dev.millrace.udfs.InferenceStats;
import dev.millrace.udfs.ModelScorer;
import dev.millrace.udfs.ScoringOptions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

import java.util.Optional;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

/**
 * Scores valid events with the configured model through the udfs module's {@link ModelScorer} (model checked and
 * loaded once on the driver, shipped once as a broadcast, cached per executor JVM, batched per partition), adding
 * the {@code score} column. Without a model the column is null.
 */
final class EventScoring {

    private final ScoringSettings settings;
    private final ModelScorer scorer;

    private EventScoring(ScoringSettings settings, ModelScorer scorer) {
        this.settings = settings;
        this.scorer = scorer;
    }

    /** Prepares the model before the query starts, so a wrong model fails the command up front. */
    static EventScoring create(SparkSession spark, ScoringSettings settings) {
        ModelScorer scorer = settings.model()
                .map(ref -> ModelScorer.create(spark, ref, ScoringOptions.defaults().withBatchSize(settings.batchSize())))
                .orElse(null);
        return new EventScoring(settings, scorer);
    }

    boolean enabled() {
        return scorer != null;
    }

    /** "name:version" of the model, or "off". */
    String describe() {
        return scorer == null ? "off (millrace.stream.spark.scoring.model.location is empty)" : scorer.ref().id();
    }

    /** {@code events} plus the {@code score} column (float). */
    Dataset<Row> score(Dataset<Row> events) {
        if (scorer == null) {
            return events.withColumn(ScoringSettings.SCORE_COLUMN, lit(null).cast(DataTypes.FloatType));
        }
        Dataset<Row> withFeatures = events.withColumn(ScoringSettings.FEATURES_COLUMN,
                expr(settings.features()).cast("array<float>"));
        return scorer.transform(withFeatures).drop(ScoringSettings.FEATURES_COLUMN);
    }

    Optional<InferenceStats> stats() {
        return Optional.ofNullable(scorer).map(ModelScorer::stats);
    }
}
