package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.cli.JobContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.File;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI check of GPU readiness: every features, split, negative-sampling and training-set plan on ml-latest-small would
 * run on GPUs with RAPIDS (explain-only, no GPU here), apart from the repository's allowlist; and an operator that
 * cannot (a derived feature calling a Java method) fails the check and makes gpu-plan exit non-zero. Runs on the
 * JVM's one shared SparkSession: RAPIDS is loaded through its own class loader, no second session. Tagged
 * {@code rapids}: it needs the 1 GB RAPIDS jar (bin/fetch-rapids), so CI's default run leaves it to {@code bin/test --e2e}.
 */
@Tag("rapids")
class GpuPlanTest {

    @Test
    void everyPreprocessingJobIsGpuReadyApartFromTheAllowlist() {
        MillraceConfig config = MovieLensLake.config();
        RapidsExplainer rapids = RapidsExplainer.load(GpuPlanCommand.rapidsJar(config));
        GpuVerdict verdict = GpuPlanCommand.check(MovieLensLake.spark(), config, Optional.empty(), rapids,
                GpuAllowlist.load(GpuPlanCommand.allowlistFile(config)));
        System.out.print(verdict.render());
        assertThat(verdict.jobs()).extracting(GpuVerdict.Job::name).contains("features:user", "features:item",
                "features:user_item", "split:cuts", "split:labels", "negative-sampling", "training-set");
        assertThat(verdict.jobs()).allSatisfy(j -> assertThat(j.execs()).isPositive());
        assertThat(verdict.violations()).as(verdict.render()).isEmpty();
    }

    @Test
    void aNewOperatorThatCannotRunOnTheGpuFailsTheCheckAndTheCommand() throws Exception {
        MillraceConfig config = MovieLensLake.config().with(Map.of(
                "millrace.features.derived.cpu_only.expression",
                "java_method('java.lang.Math', 'abs', user_events_all)"));
        GpuPlanCommand command = new GpuPlanCommand();
        new CommandLine(command).parseArgs("--allowlist", GpuPlanCommand.allowlistFile(config).getPath());
        int code = command.execute(new JobContext(config, SharedSpark.session()));
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }
}
