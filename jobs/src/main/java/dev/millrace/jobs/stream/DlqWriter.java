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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes a micro-batch's rejected records to the DLQ topic exactly once. The records and a marker ("batch N is in
 * the DLQ", an offset commit of a consumer group that nobody consumes with) go in one Kafka transaction, so a batch
 * that Spark runs again after a crash finds the marker and writes nothing. Readers of the DLQ use
 * {@code isolation.level=read_committed}, as for the Flink job's transactional DLQ.
 */
final class DlqWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DlqWriter.class);

    private final KafkaSettings kafka;
    private final String topic;
    private final int partitions;
    private final String markerGroup;
    private final TopicPartition markerPartition;
    private final Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    /** @param appId the query's id, stable across restarts from one checkpoint (transactional id and marker group) */
    DlqWriter(KafkaSettings kafka, String topic, int partitions, String appId) {
        this.kafka = kafka;
        this.topic = topic;
        this.partitions = partitions;
        this.markerGroup = appId + "-dlq";
        this.markerPartition = new TopicPartition(topic, 0);
        this.admin = Admin.create(kafka.clientConfig());
    }

    /** Creates the DLQ topic when it does not exist (with the broker's default replication). */
    void ensureTopic() {
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

    /** The last batch whose rejects are committed to the DLQ, or -1. */
    long lastWrittenBatch() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(markerGroup).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata m = committed.get(markerPartition);
            return m == null ? -1 : m.offset() - 1;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the DLQ marker of group " + markerGroup + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the DLQ marker", e);
        }
    }

    /** Writes {@code records} and the marker of {@code batchId} in one transaction; returns how many were sent. */
    long write(long batchId, Iterator<DlqRecord> records) {
        KafkaProducer<byte[], byte[]> p = producer();
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
            p.commitTransaction();
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
            throw new IllegalStateException("writing micro-batch " + batchId + "'s rejects to " + topic + " failed: " + e, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> conf = new HashMap<>(kafka.clientConfig());
            conf.put("transactional.id", markerGroup);
            conf.put("enable.idempotence", "true");
            conf.put("acks", "all");
            conf.putIfAbsent("transaction.timeout.ms", "60000");
            producer = new KafkaProducer<>(conf, new ByteArraySerializer(), new ByteArraySerializer());
            // Fences an older producer of the same query (a crashed run) and aborts its open transaction.
            producer.initTransactions();
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the DLQ producer: {}", e.toString());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        closeProducer();
        admin.close();
    }
}
