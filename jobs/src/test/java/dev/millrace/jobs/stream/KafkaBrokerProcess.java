package dev.millrace.jobs.stream;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (the streaming module's {@code EmbeddedKafka}, KRaft) in a child JVM.
 *
 * <p>Why a child process: the broker is Kafka 4.x and needs kafka-clients 4.x beside it, while Spark 4.0's Kafka
 * connector in this module is built and tested against kafka-clients 3.9 (jobs/pom.xml pins it). One class path
 * cannot hold both, so the broker runs on the streaming module's own class path and the test talks to it over
 * loopback with the 3.9 clients the job ships with.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private static final String MAIN = "dev.millrace.streaming.kafka.EmbeddedKafka";
    private static final String READY_PREFIX = "bootstrap.servers=";
    private static final long START_TIMEOUT_SECONDS = 120;

    private final Process process;
    private final String bootstrapServers;

    private KafkaBrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker with its data under {@code dataDir} and waits (bounded) for its ready line. */
    static KafkaBrokerProcess start(Path dataDir) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", streamingClasspath(), MAIN, "--data", dataDir.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectError(dataDir.resolve("broker.err").toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended; start() notices through its exit status
            }
        }, "kafka-broker-stdout");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(500, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(READY_PREFIX)) {
                return new KafkaBrokerProcess(p, line.substring(READY_PREFIX.length()).trim());
            }
            if (line == null && !p.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + p.exitValue() + ": "
                        + Files.readString(dataDir.resolve("broker.err")));
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the Kafka broker printed no ready line within " + START_TIMEOUT_SECONDS + " s");
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The streaming module's classes (folder, then jar) plus its runtime and provided class paths (files its build
     * writes, the ones bin/millrace kafka uses; the broker is a provided dependency there).
     */
    private static String streamingClasspath() {
        String files = System.getProperty("millrace.streaming.classpath-files");
        String classes = System.getProperty("millrace.streaming.classes");
        if (files == null || classes == null) {
            throw new IllegalStateException("-Dmillrace.streaming.classpath-files and -Dmillrace.streaming.classes are "
                    + "not set (jobs/pom.xml sets them for surefire)");
        }
        StringBuilder cp = new StringBuilder(classes);
        for (String f : files.split(File.pathSeparator)) {
            Path file = Path.of(f);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("build the streaming module first (mvn -pl streaming package): missing " + file);
            }
            try {
                cp.append(File.pathSeparator).append(Files.readString(file).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cp.toString();
    }

    /** Stops the broker (its shutdown hook closes it cleanly), bounded; then kills it. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
