package dev.millrace.jobs.training;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.features.FeaturesJob;
import dev.millrace.jobs.features.TrainingSetJob;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import dev.millrace.jobs.training.evaluate.EvaluateJob;
import dev.millrace.jobs.training.export.TrainingExport;
import dev.millrace.jobs.training.model.TrainJob;
import dev.millrace.udfs.registry.ModelRegistry;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ranking quality check on real data: ml-latest-small through ingest, feature snapshots every 45 days, a
 * training set of the 2016-2018 interactions split by date, export, train and evaluate, and the ranker must beat
 * ALS alone and popularity on the holdout's NDCG@10 to become current. Tagged {@code e2e}: it takes about 6 minutes
 * on an idle 2-core machine (twice that beside the other suites), so {@code bin/test --e2e} runs it and CI's default
 * run does not; {@link TrainingPipelineTest} checks the same jobs' behaviour on a small generated lake in the default
 * run.
 */
@Tag("e2e")
class MovieLensRankingTest {

    static final Path ML = SharedSpark.sharedData().resolve("movielens/ml-latest-small");
    static final LocalDate DATE = LocalDate.of(2018, 9, 24);

    @Test
    void theRankerBeatsAlsAloneAndPopularityOnNdcgAndBecomesCurrent() throws Exception {
        SparkSession spark = SharedSpark.session();
        assertThat(Files.exists(ML.resolve("ratings.csv"))).as("MovieLens data in ../shared/data").isTrue();
        // Time split by date: train 2016-01 .. 2017-06, validation 2017-07 .. 2017-12 (the ranker's labels),
        // test 2018 (the holdout), so enough users have history on both sides of each cut.
        MillraceConfig config = SharedSpark.configWithLake("ranking-ml").with(Map.of(
                "millrace.training-set.split.validation-from", "2017-07-01",
                "millrace.training-set.split.test-from", "2018-01-01"));
        Lake lake = Lake.from(config);
        assertThat(new IngestJob(spark, config).run(new IngestRequest(ML.toString(), "movielens", null, null),
                new RunReport("ingest"))).isEqualTo(ExitCodes.OK);
        new FeaturesJob(spark, config).run(SnapshotTimes.range(LocalDate.of(2015, 12, 31), DATE, 45),
                new RunReport("features"));
        new FeaturesJob(spark, config).run(SnapshotTimes.of(DATE), new RunReport("features"));
        new TrainingSetJob(spark, config).run(Optional.of(LocalDate.of(2016, 1, 1)), Optional.empty(),
                new RunReport("training-set"));
        new LakeCatalog(spark, lake).registerAll();
        new TrainingExport(spark, config).run(DATE, 4, 7, Optional.empty());
        assertThat(new TrainJob(spark, config).run(DATE, new RunReport("train"))).isEqualTo(ExitCodes.OK);
        RunReport report = new RunReport("evaluate");
        EvaluateJob.Outcome evaluation = new EvaluateJob(spark, config).run(DATE, Optional.empty(), report);
        System.out.print(report.render());

        Map<String, Map<String, Double>> m = evaluation.methods();
        double ranker = m.get("ranker " + evaluation.candidate()).get("ndcg_at_10");
        double als = m.get("als alone").get("ndcg_at_10");
        double pop = m.get("popularity").get("ndcg_at_10");
        System.out.printf("ml-latest-small NDCG@10: ranker=%.4f als=%.4f popularity=%.4f (users %.0f)%n", ranker, als,
                pop, m.get("als alone").get("users"));
        assertThat(ranker).isGreaterThan(als).isGreaterThan(pop);
        assertThat(evaluation.exitCode()).isEqualTo(ExitCodes.OK);
        ModelRegistry registry = ModelRegistry.at(TrainingSettings.from(config).registryLocation());
        assertThat(registry.aliasVersion(ModelRegistry.CHAMPION)).contains(evaluation.candidate());
    }
}
