package dev.millrace.jobs.training.model;

import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.udfs.InputSpec;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.ml.recommendation.ALSModel;

/** How a registered version's pieces are found and loaded: the ranker as a DJL model reference, the ALS model. */
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

    public static ALSModel als(ModelRegistry registry, ModelVersion v) {
        return ALSModel.load(registry.folder(v.version()).resolve(ALS_DIR).toUri().toString());
    }
}
