package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code millrace gpu-plan}: runs every preprocessing job's plans through RAPIDS in explain-only mode (no GPU needed)
 * and prints, per job, each operator that would not run on a GPU and why. Exits non-zero when one is not in the
 * allowlist, so CI catches a change that would silently fall back to the CPU on a GPU cluster.
 */
@Command(name = "gpu-plan", mixinStandardHelpOptions = true,
        description = {"Check that the features, split, negative-sampling and training-set jobs would run fully on "
                + "GPUs with NVIDIA Spark RAPIDS (explain-only: no GPU needed, nothing is written).",
                "Prints each operator that would stay on the CPU and why; exit code 1 when one is not in the "
                        + "allowlist (millrace.gpu.allowlist). Needs ingested data (the plans read the lake)."},
        footer = {"", "Examples:",
                "  bin/millrace gpu-plan",
                "  bin/millrace gpu-plan --date 2018-09-01 --allowlist conf/gpu-allowlist.conf",
                "  MILLRACE_RAPIDS_JAR=/opt/rapids-4-spark_2.13-26.08.1.jar bin/millrace gpu-plan"})
public final class GpuPlanCommand extends SparkCommand {

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date of the features plan (default: the latest event's date).")
    LocalDate date;

    @Option(names = "--allowlist", paramLabel = "FILE", description = "Allowlist (default: millrace.gpu.allowlist).")
    File allowlist;

    @Option(names = "--rapids-jar", paramLabel = "FILE",
            description = "The RAPIDS jar (default: millrace.gpu.rapids-jar, else the one the build resolved).")
    File rapidsJar;

    @Override
    protected String jobName() {
        return "gpu-plan";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        // Before the session starts: RAPIDS must come from a class loader Spark can see (../shared/STACK.md).
        RapidsExplainer rapids = RapidsExplainer.load(rapidsJar != null ? rapidsJar : rapidsJar(ctx.config()));
        GpuAllowlist allow = GpuAllowlist.load(allowlist != null ? allowlist : allowlistFile(ctx.config()));
        GpuVerdict verdict = check(ctx.spark(), ctx.config(), Optional.ofNullable(date), rapids, allow);
        System.out.print(verdict.render());
        report.put("jobs", verdict.summary());
        report.put("gpu_share", Math.round(verdict.gpuShare() * 1000) / 1000.0);
        report.put("not_allowed", verdict.violations().size());
        return verdict.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /**
     * Plans and judges every job. Two settings change for the check only, not which operators the jobs use: AQE is
     * off because RAPIDS cannot judge broadcast joins that AQE decides at run time (../shared/STACK.md), and exchange
     * reuse is off because RAPIDS' explain fails to bind join keys across a ReusedExchange (the training set joins
     * the same broadcast snapshot table more than once).
     */
    public static GpuVerdict check(SparkSession spark, MillraceConfig config, Optional<LocalDate> date,
                                   RapidsExplainer rapids, GpuAllowlist allow) {
        Map<String, String> checkOnly = Map.of("spark.sql.adaptive.enabled", "false", "spark.sql.exchange.reuse", "false");
        Map<String, String> before = new HashMap<>();
        checkOnly.forEach((k, v) -> {
            before.put(k, spark.conf().get(k, "true"));
            spark.conf().set(k, v);
        });
        try {
            return GpuVerdict.judge(rapids, allow, PreprocessingPlans.collect(spark, config, date));
        } finally {
            before.forEach((k, v) -> spark.conf().set(k, v));
        }
    }

    /** millrace.gpu.rapids-jar, else the path the jobs build wrote to target/launcher/rapids-jar.txt. */
    public static File rapidsJar(MillraceConfig config) {
        String configured = config.getString("millrace.gpu.rapids-jar");
        if (!configured.isBlank()) {
            return new File(configured);
        }
        String prop = System.getProperty("millrace.rapids.jar");
        if (prop != null && !prop.isBlank()) {
            return new File(prop);
        }
        File listed = home("jobs/target/launcher/rapids-jar.txt");
        if (listed != null) {
            try {
                return new File(Files.readString(listed.toPath(), StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    /** millrace.gpu.allowlist, relative paths against the project home (bin/millrace sets it) or the working dir. */
    public static File allowlistFile(MillraceConfig config) {
        String path = config.getString("millrace.gpu.allowlist");
        File f = new File(path);
        if (f.isAbsolute()) {
            return f;
        }
        File fromHome = home(path);
        if (fromHome != null) {
            return fromHome;
        }
        File parent = new File("..", path);
        return !f.isFile() && parent.isFile() ? parent : f;
    }

    private static File home(String relative) {
        String home = System.getProperty("millrace.home");
        if (home == null) {
            return null;
        }
        File f = new File(home, relative);
        return f.isFile() ? f : null;
    }
}
