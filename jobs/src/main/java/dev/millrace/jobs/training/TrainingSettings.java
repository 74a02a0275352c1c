package dev.millrace.jobs.training;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;

import java.util.List;

/**
 * {@code millrace.training}, {@code millrace.models}, {@code millrace.evaluate} and {@code millrace.score}, read and
 * checked once.
 */
public record TrainingSettings(int shards, long exportSeed, String exportRoot,
                               int alsRank, int alsMaxIter, double alsRegParam, double alsAlpha, long alsSeed,
                               TableName userFactors, TableName itemFactors, TableName userIds, TableName itemIds,
                               String rankerSplit, List<Integer> hidden, int epochs, int batchSize,
                               double learningRate, long rankerSeed, int candidateRepeats,
                               long rankerMaxRows, int rankerFileRows, int popularCandidates,
                               String modelsRoot, String modelName,
                               int evalK, int evalCandidates, String metric, double margin,
                               boolean firstMustBeatBaselines,
                               int scoreK, int scoreCandidates, int scoreBatchSize, int popularTopN, int maxFetch,
                               int popularMaxKnown) {

    public static TrainingSettings from(MillraceConfig c) {
        Lake lake = Lake.from(c);
        String exportRoot = c.getString("millrace.training.export.root");
        String models = c.getString("millrace.models.root");
        TrainingSettings s = new TrainingSettings(
                c.getInt("millrace.training.export.shards"), c.getLong("millrace.training.export.seed"),
                exportRoot.isBlank() ? lake.root() + "/exports/training" : exportRoot,
                c.getInt("millrace.training.als.rank"), c.getInt("millrace.training.als.max-iter"),
                c.getDouble("millrace.training.als.reg-param"), c.getDouble("millrace.training.als.alpha"),
                c.getLong("millrace.training.als.seed"),
                TableName.parse(c.getString("millrace.training.als.user-factors-table")),
                TableName.parse(c.getString("millrace.training.als.item-factors-table")),
                TableName.parse(c.getString("millrace.training.als.user-ids-table")),
                TableName.parse(c.getString("millrace.training.als.item-ids-table")),
                c.getString("millrace.training.ranker.split"),
                c.raw().getIntList("millrace.training.ranker.hidden"),
                c.getInt("millrace.training.ranker.epochs"), c.getInt("millrace.training.ranker.batch-size"),
                c.getDouble("millrace.training.ranker.learning-rate"), c.getLong("millrace.training.ranker.seed"),
                c.getInt("millrace.training.ranker.candidate-repeats"),
                c.getLong("millrace.training.ranker.max-rows"), c.getInt("millrace.training.ranker.file-rows"),
                c.getInt("millrace.training.ranker.popular-candidates"),
                models.isBlank() ? lake.root() + "/_models" : models, c.getString("millrace.models.name"),
                c.getInt("millrace.evaluate.k"), c.getInt("millrace.evaluate.candidates"),
                c.getString("millrace.evaluate.metric"), c.getDouble("millrace.evaluate.margin"),
                c.getBoolean("millrace.evaluate.first-must-beat-baselines"),
                c.getInt("millrace.score.k"), c.getInt("millrace.score.candidates"),
                c.getInt("millrace.score.batch-size"), c.getInt("millrace.score.popular-top-n"),
                c.getInt("millrace.score.max-fetch"), c.getInt("millrace.evaluate.popular-max-known"));
        if (s.shards < 1) {
            throw new IllegalArgumentException("millrace.training.export.shards must be >= 1");
        }
        if (s.evalK < 1 || s.scoreK < 1 || s.evalCandidates < s.evalK || s.scoreCandidates < s.scoreK) {
            throw new IllegalArgumentException("k must be >= 1 and candidates >= k (millrace.evaluate, millrace.score)");
        }
        if (s.popularCandidates < 0) {
            throw new IllegalArgumentException("millrace.training.ranker.popular-candidates must be >= 0");
        }
        if (s.popularMaxKnown < 0) {
            throw new IllegalArgumentException("millrace.evaluate.popular-max-known must be >= 0");
        }
        if (s.rankerMaxRows < 1 || s.rankerFileRows < 1) {
            throw new IllegalArgumentException("millrace.training.ranker.max-rows and file-rows must be >= 1");
        }
        if (!List.of("train", "validation", "test").contains(s.rankerSplit)) {
            throw new IllegalArgumentException("millrace.training.ranker.split must be train, validation or test");
        }
        return s;
    }

    /** The registry folder of the configured model name. */
    public String registryLocation() {
        return registryLocation(modelName);
    }

    /** The registry folder of a model name under {@code millrace.models.root} (the name checked: one folder). */
    public String registryLocation(String model) {
        return modelsRoot + "/" + dev.millrace.udfs.registry.ModelReference.checkName(model);
    }
}
