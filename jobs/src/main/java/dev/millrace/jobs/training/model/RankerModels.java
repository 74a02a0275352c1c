package dev.millrace.jobs.training.model;

import dev.millrace.core.lake.Lake;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.ids.IdDictionary;
import dev.millrace.udfs.InputSpec;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.SparkSession;

/**
 * How a registered version's pieces are found and loaded: the ranker as a DJL model reference, the ALS model (with
 * the id dictionaries that give its int ids their string keys).
 */
public final class RankerModels {

    public static final String RANKER_DIR = "ranker";
    public static final String ALS_DIR = "als";
    public static final String INPUT_COLUMN = "ranker_input";
    public static final String SCORE_COLUMN = "ranker_score";

    private RankerModels() {
    }

    public static ModelRegistry registry(TrainingSettings s) {
        return ModelRegistry.at(s.registryLocation());
    }

    /** The DJL model reference of a version's ranker: input {@value #INPUT_COLUMN}, output {@value #SCORE_COLUMN}. */
    public static ModelRef ref(ModelRegistry registry, ModelVersion v) {
        return ModelRef.builder(v.name(), v.version()).engine(ModelEngine.PYTORCH)
                .location(registry.folder(v.version()).resolve(RANKER_DIR).toUri().toString())
                .input(InputSpec.of(INPUT_COLUMN, null, v.inputSize()))
                .output(null, SCORE_COLUMN, OutputKind.SCALAR)
                .option("blockFactory", String.valueOf(v.params().get("block_factory")))
                .option("layers", String.valueOf(v.params().get("layers")))
                .build();
    }

    /** A version's ALS with the dictionaries: append-only, so today's tables hold the ids of every older model. */
    public static KeyedAls als(SparkSession spark, Lake lake, TrainingSettings s, ModelRegistry registry,
                               ModelVersion v) {
        ALSModel model = ALSModel.load(registry.folder(v.version()).resolve(ALS_DIR).toUri().toString());
        return new KeyedAls(model, userIds(spark, lake, s), itemIds(spark, lake, s));
    }

    /** The user id dictionary ({@code millrace.training.als.user-ids-table}). */
    public static IdDictionary userIds(SparkSession spark, Lake lake, TrainingSettings s) {
        return new IdDictionary(spark, lake, s.userIds(), "user");
    }

    /** The item id dictionary ({@code millrace.training.als.item-ids-table}). */
    public static IdDictionary itemIds(SparkSession spark, Lake lake, TrainingSettings s) {
        return new IdDictionary(spark, lake, s.itemIds(), "item");
    }
}
