package dev.millrace.jobs.stream;

import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes the rejected records of one source partition (Kafka topic partition) of a micro-batch to the DLQ topic
 * exactly once, from the executor that holds them. The records and a marker ("batch N of this partition is in the
 * DLQ", an offset commit of a consumer group that nobody consumes with) go in one Kafka transaction, so a batch or
 * task that Spark runs again finds the marker and writes nothing. Readers of the DLQ use {@code isolation.level=read_committed}, as for the Flink
 * job's transactional DLQ. Writers (one producer per transactional id) and the Admin client that reads the markers
 * are kept per JVM, so an executor opens them once per query and partition, not once per batch.
 */
final class DlqWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DlqWriter.class);
    private static final Map<String, DlqWriter> WRITERS = new ConcurrentHashMap<>();
    private static final Map<Map<String, Object>, Admin> ADMINS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(DlqWriter::closeAll, "dlq-writers-close"));
    }

    /** Around each transaction's commit: tests inject a task failure between two partitions' commits there. */
    interface CommitHook {
        void beforeCommit(String transactionalId, long batchId);

        void afterCommit(String transactionalId, long batchId);
    }

    /** Null outside tests; in local mode the executors are the test's JVM, so a static reaches them. */
    static volatile CommitHook commitHook;

    private final KafkaSettings kafka;
    private final String topic;
    private final String markerGroup;
    private final TopicPartition markerPartition;
    private KafkaProducer<byte[], byte[]> producer;

    /** @param transactionalId stable across restarts from one checkpoint: also the marker's consumer group */
    private DlqWriter(KafkaSettings kafka, String topic, String transactionalId) {
        this.kafka = kafka;
        this.topic = topic;
        this.markerGroup = transactionalId;
        this.markerPartition = new TopicPartition(topic, 0);
    }

    /** This JVM's writer of {@code transactionalId} (one per query and source partition). */
    static DlqWriter of(KafkaSettings kafka, String topic, String transactionalId) {
        return WRITERS.computeIfAbsent(topic + "\u0000" + transactionalId, k -> new DlqWriter(kafka, topic, transactionalId));
    }

    /** The transactional id (and marker group) of query {@code appId}'s rejects from one source partition. */
    static String transactionalId(String appId, String sourceTopic, int sourcePartition) {
        return appId + "-dlq-" + sourceTopic + "-" + sourcePartition;
    }

    /** Creates the DLQ topic when it does not exist (with the broker's default replication). */
    static void ensureTopic(KafkaSettings kafka, String topic, int partitions) {
        Admin admin = admin(kafka);
        try {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
                LOG.info("created DLQ topic {} ({} partitions)", topic, partitions);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the DLQ topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the DLQ topic " + topic, e);
        }
    }

    private static Admin admin(KafkaSettings kafka) {
        return ADMINS.computeIfAbsent(kafka.clientConfig(), Admin::create);
    }

    /** The last batch whose rejects of this partition are committed to the DLQ, or -1. */
    synchronized long lastWrittenBatch() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin(kafka).listConsumerGroupOffsets(markerGroup).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata m = committed.get(markerPartition);
            return m == null ? -1 : m.offset() - 1;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the DLQ marker of group " + markerGroup + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the DLQ marker", e);
        }
    }

    /**
     * Writes {@code records} and the marker of {@code batchId} in one transaction unless the marker is there already;
     * returns how many were sent, or -1 when the batch was found in the DLQ (nothing sent).
     */
    synchronized long writeOnce(long batchId, Iterator<DlqRecord> records) {
        // The producer first: initTransactions fences an older producer of this id (a crashed task or run) and
        // aborts its open transaction, so the marker read next is final.
        KafkaProducer<byte[], byte[]> p = producer();
        if (lastWrittenBatch() >= batchId) {
            return -1;
        }
        p.beginTransaction();
        long sent = 0;
        try {
            Future<?> last = null;
            while (records.hasNext()) {
                DlqRecord r = records.next();
                byte[] key = (r.topic() + "/" + r.partition() + "/" + r.offset()).getBytes(StandardCharsets.UTF_8);
                last = p.send(new ProducerRecord<>(topic, key, r.toJson().getBytes(StandardCharsets.UTF_8)));
                sent++;
            }
            if (last != null) {
                p.flush();
                last.get();
            }
            p.sendOffsetsToTransaction(Map.of(markerPartition, new OffsetAndMetadata(batchId + 1, "micro-batch " + batchId)),
                    new ConsumerGroupMetadata(markerGroup));
            CommitHook hook = commitHook;
            if (hook != null) {
                hook.beforeCommit(markerGroup, batchId);
            }
            p.commitTransaction();
            if (hook != null) {
                hook.afterCommit(markerGroup, batchId);
            }
            return sent;
        } catch (RuntimeException | ExecutionException | InterruptedException e) {
            try {
                p.abortTransaction();
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            closeProducer();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("writing micro-batch " + batchId + "'s rejects (" + markerGroup + ") to "
                    + topic + " failed: " + e, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> conf = new HashMap<>(kafka.clientConfig());
            conf.put("transactional.id", markerGroup);
            conf.put("enable.idempotence", "true");
            conf.put("acks", "all");
            conf.putIfAbsent("transaction.timeout.ms", "60000");
            KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(conf, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private synchronized void closeProducer() {
        if (producer != null) {
            try {
                producer.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the DLQ producer {}: {}", markerGroup, e.toString());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        closeProducer();
    }

    /** Closes this JVM's DLQ producers and Admin clients (a query's end; the JVM's exit on executors). */
    static void closeAll() {
        WRITERS.values().forEach(DlqWriter::close);
        WRITERS.clear();
        ADMINS.values().forEach(a -> {
            try {
                a.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a DLQ Admin client: {}", e.toString());
            }
        });
        ADMINS.clear();
    }
}
