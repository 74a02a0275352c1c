package dev.millrace.streaming.cli;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.logging.RunLogFile;
import dev.millrace.streaming.kafka.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bin/millrace kafka}: a local single-node Kafka broker (KRaft) that runs until killed. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Runs a real single-node Kafka broker (KRaft) on 127.0.0.1 until killed (Ctrl-C).",
                "Prints 'bootstrap.servers=127.0.0.1:PORT' once it accepts connections; topics and offsets persist in --data."},
        footer = {"", "Example:", "  bin/millrace kafka --port 9092 --data /tmp/millrace-kafka --topic events:2"})
public final class KafkaCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--port", paramLabel = "P", description = "Client port (default: millrace.kafka.local.port; 0 = a free one).")
    Integer port;

    @Option(names = "--data", paramLabel = "DIR", description = "Broker data folder (default: millrace.kafka.local.data, else <lake>/_kafka).")
    Path data;

    @Option(names = "--topic", paramLabel = "NAME[:PARTITIONS]", description = "Topics to create at start (repeatable).")
    List<String> topics = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        MillraceConfig conf = common.load();
        RunLogFile.redirect(Lake.from(conf).root(), "kafka")
                .ifPresent(f -> System.err.println("log: " + f));
        int p = port != null ? port : conf.getInt("millrace.kafka.local.port");
        Path dir = data;
        if (dir == null) {
            String configured = conf.getString("millrace.kafka.local.data");
            dir = configured.isBlank() ? Path.of(Lake.from(conf).root()).resolve("_kafka") : Path.of(configured);
        }
        EmbeddedKafka.runUntilKilled(dir.toAbsolutePath(), p, topics, System.out);
        return 0;
    }
}
