package dev.millrace.jobs.stream;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import org.apache.hadoop.util.ShutdownHookManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code millrace stream spark}: the Spark Structured Streaming job, bounded or not. */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Spark Structured Streaming: read the events topic, send malformed and late records to the DLQ "
                + "topic with their reason, score valid events with the configured model and append them to "
                + "bronze.events. Checkpointed; each micro-batch is written once (Delta txnAppId/txnVersion, a Kafka "
                + "transaction for the DLQ), so a stop or crash and a restart neither lose nor duplicate rows.",
                "Settings: millrace.stream.spark (topic, trigger, checkpoint, max-offsets-per-trigger, "
                        + "allowed-lateness, dlq-topic, scoring) and millrace.kafka (bootstrap servers, client security)."},
        footer = {"", "Examples:",
                "  bin/millrace kafka &              # a local broker (or set millrace.kafka.bootstrap-servers)",
                "  bin/millrace stream spark         # runs until Ctrl-C",
                "  bin/millrace stream spark --until-idle",
                "  bin/millrace stream spark --max-batches 5 -Dmillrace.stream.spark.max-offsets-per-trigger=1000",
                "  bin/millrace sql \"SELECT event_type, count(*), avg(score) FROM bronze.events GROUP BY event_type\""})
public final class SparkStreamCommand extends SparkCommand {

    @Option(names = "--until-idle",
            description = "Stop once no new record has arrived for millrace.stream.spark.idle-timeout.")
    boolean untilIdle;

    @Option(names = "--max-batches", paramLabel = "N", description = "Stop after N micro-batches (0: no limit).")
    long maxBatches;

    @Option(names = "--topic", description = "Events topic (default millrace.stream.spark.topic).")
    String topic;

    private static final long STOP_WAIT_SECONDS = 60;
    private static final int STOP_HOOK_PRIORITY = 50;

    private final CountDownLatch finished = new CountDownLatch(1);

    @Override
    protected String jobName() {
        return "stream-spark";
    }

    @Override
    public Integer call() throws Exception {
        try {
            return super.call();
        } finally {
            finished.countDown();
        }
    }

    @Override
    protected int run(JobContext ctx, RunReport report) throws Exception {
        if (maxBatches < 0) {
            throw new IllegalArgumentException("--max-batches must be >= 0");
        }
        MillraceConfig config = topic == null ? ctx.config() : ctx.config().with(Map.of("millrace.stream.spark.topic", topic));
        SparkStreamJob job = new SparkStreamJob(ctx.spark(), config);
        // Ctrl-C: stop the query and let the summary print before Spark's own shutdown hook stops the SparkContext
        // (Hadoop's hook manager runs higher priorities first; Spark's hooks sit at priority 40).
        Runnable hook = () -> {
            job.requestStop();
            try {
                finished.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ShutdownHookManager hooks = ShutdownHookManager.get();
        hooks.addShutdownHook(hook, STOP_HOOK_PRIORITY, STOP_WAIT_SECONDS + 10, TimeUnit.SECONDS);
        try {
            job.run(new SparkStreamJob.Limits(maxBatches, untilIdle)).forEach(report::put);
        } finally {
            if (!hooks.isShutdownInProgress()) {
                hooks.removeShutdownHook(hook);
            }
        }
        return ExitCodes.OK;
    }
}
