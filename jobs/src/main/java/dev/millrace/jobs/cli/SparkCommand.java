package dev.millrace.jobs.cli;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.logging.RunLogFile;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Base of every command that runs a job: loads the config, runs the job, prints its summary and writes the same
 * numbers as JSON under the lake's {@code _runs/}. Subclasses implement {@link #run(JobContext, RunReport)}.
 */
public abstract class SparkCommand implements Callable<Integer> {

    @Mixin
    protected CommonOptions common;

    /** The job name used for the report folder and the Spark app name. */
    protected abstract String jobName();

    /** Runs the job, filling the report; returns an exit code from {@link ExitCodes}. */
    protected abstract int run(JobContext ctx, RunReport report) throws Exception;

    /** Whether the command prints its own progress, so that Millrace's INFO lines go to the log file only. */
    protected boolean printsOwnProgress() {
        return false;
    }

    /** Whether this command writes a run report (query-only commands do not). */
    protected boolean writesReport() {
        return true;
    }

    /** The run's log file under the lake, where the launcher asked for one ({@link RunLogFile}). */
    private Optional<Path> logFile = Optional.empty();

    @Override
    public Integer call() throws Exception {
        MillraceConfig config = common.load();
        logFile = RunLogFile.redirect(Lake.from(config).root(), jobName(), printsOwnProgress());
        JobContext ctx = new JobContext(config, jobName());
        return execute(ctx);
    }

    /** Runs against a given context (tests pass one around the shared session). */
    public int execute(JobContext ctx) throws Exception {
        RunReport report = new RunReport(jobName());
        int code = run(ctx, report);
        if (writesReport()) {
            report.put("exit_code", code);
            logFile.ifPresent(f -> report.put("log", f.toString()));
            String path = report.write(ctx.lake().runsLocation(), ctx.spark().sparkContext().hadoopConfiguration());
            System.out.print(report.render());
            System.out.println("report: " + path);
        }
        return code;
    }
}
