package dev.millrace.streaming.cli;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.RejectReason;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.logging.RunLogFile;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.streaming.flink.FeatureWriteListener;
import dev.millrace.streaming.flink.FlinkStreamJob;
import dev.millrace.streaming.flink.FlinkStreamSettings;
import dev.millrace.streaming.flink.LatenessCheck;
import dev.millrace.streaming.rerank.RerankSettings;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/** {@code bin/millrace stream flink}: the Flink job, in a local MiniCluster or on a cluster through {@code flink run}. */
@Command(name = "flink", mixinStandardHelpOptions = true,
        description = {"Runs the Flink job: events topic -> validation and lateness (DLQ topic with reasons) -> per-user",
                "window features in the online store, and bronze.events through an exactly-once Delta Kernel sink.",
                "Runs until killed, or with --bounded until the offsets that were latest at its start, then prints a summary."},
        footer = {"", "Examples:", "  bin/millrace stream flink",
                "  bin/millrace stream flink --bounded",
                "  bin/millrace stream flink --from-checkpoint lake/_checkpoints/stream-flink/<job id>/chk-42",
                "  flink run streaming/target/millrace-streaming.jar stream flink --conf conf/cluster.conf"})
public final class FlinkCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--bounded", description = "Stop at the offsets that are latest when the job starts (a catch-up run).")
    boolean bounded;

    @Option(names = "--from-checkpoint", paramLabel = "PATH", description = "Restore from a retained checkpoint (chk-N folder) or savepoint.")
    String fromCheckpoint;

    @Override
    public Integer call() throws Exception {
        MillraceConfig conf = common.load();
        RunLogFile.redirect(Lake.from(conf).root(), "stream-flink")
                .ifPresent(f -> System.err.println("log: " + f));
        FlinkStreamSettings settings = FlinkStreamSettings.from(conf);
        KafkaSettings kafka = KafkaSettings.from(conf);
        StoreSettings store = StoreSettings.from(conf);
        ensureTopic(kafka, settings.dlqTopic(), settings.dlqPartitions());
        RunReport report = new RunReport("stream-flink");
        JobExecutionResult result = run(settings, kafka, store, RerankSettings.from(conf), bounded, fromCheckpoint,
                FeatureWriteListener.none());
        summarize(report, settings, kafka, result);
        System.out.println(report.render());
        report.write(Lake.from(conf).runsLocation(), new org.apache.hadoop.conf.Configuration());
        return 0;
    }

    /** Builds and runs the job (blocking); in a local MiniCluster unless started by {@code flink run}. */
    public static JobExecutionResult run(FlinkStreamSettings settings, KafkaSettings kafka, StoreSettings store,
                                         RerankSettings rerank, boolean bounded, String fromCheckpoint, FeatureWriteListener listener) throws Exception {
        Configuration flinkConf = FlinkStreamJob.flinkConfiguration(settings);
        if (fromCheckpoint != null) {
            flinkConf.set(StateRecoveryOptions.SAVEPOINT_PATH, fromCheckpoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        env.setParallelism(settings.parallelism());
        FlinkStreamJob.kafka(settings, kafka, store, bounded, listener, rerank).build(env);
        return env.execute("millrace-stream-flink");
    }

    /** Counts from the job's accumulators (this attempt's) and the consumer group's lag at the end. */
    static void summarize(RunReport report, FlinkStreamSettings s, KafkaSettings kafka, JobExecutionResult result) {
        long valid = counter(result, LatenessCheck.VALID);
        Map<String, Long> rejected = new LinkedHashMap<>();
        for (RejectReason r : RejectReason.values()) {
            long n = counter(result, LatenessCheck.DLQ_PREFIX + r.code());
            if (n > 0) {
                rejected.put(r.code(), n);
            }
        }
        double seconds = result.getNetRuntime() / 1000.0;
        long total = valid + rejected.values().stream().mapToLong(Long::longValue).sum();
        report.put("topic", s.topic()).put("events_valid", valid).put("dlq_topic", s.dlqTopic())
                .put("dlq_by_reason", rejected).put("records_per_second", seconds > 0 ? Math.round(total / seconds) : 0)
                .put("seconds", seconds).put("bronze_table", s.bronzeTablePath())
                .put("consumer_lag", lag(kafka, s.topic(), s.consumerGroup()).map(Object.class::cast).orElse("unknown"));
    }

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** Records between the group's committed offsets and the topic's ends, summed over partitions. */
    static Optional<Long> lag(KafkaSettings kafka, String topic, String group) {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> ends = committed.keySet().stream().filter(tp -> tp.topic().equals(topic))
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            if (ends.isEmpty()) {
                return Optional.empty();
            }
            long lag = 0;
            for (var e : admin.listOffsets(ends).all().get().entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            return Optional.of(lag);
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static void ensureTopic(KafkaSettings kafka, String topic, int partitions) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
    }
}
