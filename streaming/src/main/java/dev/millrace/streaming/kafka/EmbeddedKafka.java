package dev.millrace.streaming.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on loopback, for local runs
 * and tests. Replication factors and min ISR are 1, so transactions and consumer groups work with one node. The data
 * directory is formatted on first use and reused afterwards (its topics survive a restart).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** The line {@link #main} prints once the broker accepts connections; a parent process waits for it. */
    public static final String READY_PREFIX = "bootstrap.servers=";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on a free loopback port with its logs under {@code dataDir}. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0, Map.of());
    }

    /**
     * Starts a broker.
     *
     * @param dataDir   where the broker keeps its metadata and logs (created if missing)
     * @param port      client port on 127.0.0.1, or 0 for a free one
     * @param overrides extra broker settings (server.properties keys); they win over the defaults here
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) {
        try {
            Files.createDirectories(dataDir);
            int clientPort = port > 0 ? port : freePort();
            int controllerPort = freePort();
            Path logDir = dataDir.toAbsolutePath().resolve("kraft");
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", logDir.toString());
            // One node: every internal topic must be satisfiable with a single replica.
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "4");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "4");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("min.insync.replicas", "1");
            props.put("default.replication.factor", "1");
            props.put("num.partitions", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("num.network.threads", "2");
            props.put("num.io.threads", "2");
            props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
            props.putAll(overrides);
            format(dataDir, props);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + clientPort;
            EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap);
            kafka.awaitReady();
            LOG.info("Kafka broker (KRaft) ready at {} with data in {}", bootstrap, logDir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dataDir, e);
        }
    }

    /** Formats the KRaft log directory unless it already is (then its cluster id and topics are kept). */
    private static void format(Path dataDir, Properties props) throws IOException {
        Path propsFile = dataDir.toAbsolutePath().resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "written by dev.millrace.streaming.kafka.EmbeddedKafka");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[]{"format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", propsFile.toString(), "--ignore-formatted"}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed (" + rc + "): " + captured.toString(StandardCharsets.UTF_8));
        }
    }

    /** Waits until the broker answers a metadata request (bounded: 60 s). */
    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker at " + bootstrapServers + " not ready after 60 s", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    /** {@code host:port} of the broker's client listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with replication factor 1; an existing topic is left as it is. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + name, e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker at {} stopped", bootstrapServers);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /**
     * Runs a broker until the process is killed: {@code [--port P] [--data DIR] [--topic NAME[:PARTITIONS]]...}.
     * Prints {@code bootstrap.servers=127.0.0.1:P} on stdout once it accepts connections, so that a parent process
     * (bin/millrace kafka, another job's test) can start it as a child and read where it listens.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        Path data = null;
        List<String> topics = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--topic" -> topics.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: [--port P] [--data DIR] [--topic NAME[:PARTITIONS]]...)");
            }
        }
        try {
            if (data == null) {
                data = Files.createTempDirectory("millrace-kafka");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runUntilKilled(data, port, topics, System.out);
    }

    /** Starts the broker, creates the topics, prints the ready line and blocks until the JVM shuts down. */
    public static void runUntilKilled(Path data, int port, List<String> topics, PrintStream out) throws InterruptedException {
        EmbeddedKafka kafka = start(data, port, Map.of());
        for (String t : topics) {
            int colon = t.lastIndexOf(':');
            kafka.createTopic(colon < 0 ? t : t.substring(0, colon), colon < 0 ? 1 : Integer.parseInt(t.substring(colon + 1)));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "millrace-kafka-shutdown"));
        out.println(READY_PREFIX + kafka.bootstrapServers());
        out.flush();
        stopped.await();
    }
}
