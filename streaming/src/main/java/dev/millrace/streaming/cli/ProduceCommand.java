package dev.millrace.streaming.cli;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.logging.RunLogFile;
import dev.millrace.streaming.produce.EventGenerator;
import dev.millrace.streaming.produce.EventProducer;
import dev.millrace.streaming.produce.KeyStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code bin/millrace produce}: replays generated or file events (contract JSON) into a topic at a given rate. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Sends events (JSON, docs/streaming.md) to a Kafka topic at a steady rate: generated ones, or the",
                "lines of a file as they are. --malformed mixes in broken records (every DLQ reason but late_event)."},
        footer = {"", "Examples:", "  bin/millrace produce --topic events --rate 2000 --count 100000 --malformed 0.01",
                "  bin/millrace produce --topic events --rate 500 --source events.jsonl"})
public final class ProduceCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--topic", paramLabel = "NAME", description = "Topic (default: millrace.kafka.produce.topic).")
    String topic;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000", description = "Records per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--source", paramLabel = "generated|FILE", defaultValue = "generated",
            description = "'generated' or a file of JSON lines (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N records (0 = a file's end, or forever when generated).")
    long count;

    @Option(names = "--duration", paramLabel = "D", description = "Stop after this long (e.g. 60s); generated events only.")
    Duration duration;

    @Option(names = "--malformed", paramLabel = "FRACTION", defaultValue = "0", description = "Share of records to break (default: ${DEFAULT-VALUE}).")
    double malformed;

    @Option(names = "--keys", paramLabel = "numeric|uuid",
            description = "Generated keys: numeric ids (\"42\") or UUID users and SKU-like items (default: millrace.kafka.produce.keys).")
    String keys;

    @Override
    public Integer call() throws Exception {
        MillraceConfig conf = common.load();
        RunLogFile.redirect(Lake.from(conf).root(), "produce")
                .ifPresent(f -> System.err.println("log: " + f));
        KafkaSettings kafka = KafkaSettings.from(conf);
        String t = topic != null ? topic : conf.getString("millrace.kafka.produce.topic");
        ensureTopic(kafka, t, conf.getInt("millrace.kafka.produce.partitions"));
        Iterator<EventGenerator.Record> records;
        long max = count;
        if ("generated".equals(source)) {
            EventGenerator gen = new EventGenerator(conf.getLong("millrace.kafka.produce.seed"),
                    conf.getInt("millrace.kafka.produce.users"), conf.getInt("millrace.kafka.produce.items"), malformed,
                    Clock.systemUTC(), KeyStyle.parse(keys != null ? keys : conf.getString("millrace.kafka.produce.keys")));
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            records = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return System.nanoTime() < deadline;
                }

                @Override
                public EventGenerator.Record next() {
                    return gen.next();
                }
            };
        } else {
            records = fileRecords(Path.of(source), malformed);
        }
        System.err.println("producing to " + t + " at " + (rate > 0 ? rate + " records/s" : "full speed") + " on " + kafka);
        EventProducer.Result r = new EventProducer(kafka).send(t, records, rate, max);
        System.out.printf("produce: %d records (%d malformed) to %s in %.1f s, %.0f records/s%n",
                r.sent(), r.malformed(), t, r.seconds(), r.rate());
        return 0;
    }

    static void ensureTopic(KafkaSettings kafka, String topic, int partitions) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /** The file's lines as records (keyed by nothing); a fraction of them cut in half to make them malformed. */
    static Iterator<EventGenerator.Record> fileRecords(Path file, double malformed) throws IOException {
        BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(7);
        return new Iterator<>() {
            String line = read();

            private String read() {
                try {
                    String l;
                    do {
                        l = in.readLine();
                    } while (l != null && l.isBlank());
                    if (l == null) {
                        in.close();
                    }
                    return l;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return line != null;
            }

            @Override
            public EventGenerator.Record next() {
                if (line == null) {
                    throw new NoSuchElementException();
                }
                String l = line;
                line = read();
                if (malformed > 0 && random.nextDouble() < malformed) {
                    return new EventGenerator.Record(null, l.substring(0, l.length() / 2), true);
                }
                return new EventGenerator.Record(null, l, false);
            }
        };
    }
}
