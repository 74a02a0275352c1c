package dev.millrace.jobs.stream;

import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.kafka.KafkaSettings;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs on the executors over one micro-batch's rejected rows ({@code reason, detail, raw, kafka_topic,
 * kafka_partition, kafka_offset}): each task's rejects go to the DLQ in one Kafka transaction of the {@link DlqWriter}
 * of its source partition (a task reads one Kafka partition's offset range), so no reject travels to the driver.
 * Returns one row per reason seen ({@link #SCHEMA}: reason, rejected, skipped = 1 when the source partition's marker
 * showed the batch written by an earlier run), which the driver sums per reason. The writer is chosen by the source
 * partition, not by the task's index: Spark replays the same offset ranges in a re-run batch, but not necessarily in
 * the same task order.
 */
final class DlqPartitionWriter implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    static final StructType SCHEMA = new StructType()
            .add("reason", DataTypes.StringType, false)
            .add("rejected", DataTypes.LongType, false)
            .add("skipped", DataTypes.IntegerType, false);

    private final KafkaSettings kafka;
    private final String topic;
    private final String appId;
    private final long batchId;
    private final Instant failedAt;

    /** @param failedAt the batch's time of rejection, the same in every partition */
    DlqPartitionWriter(KafkaSettings kafka, String topic, String appId, long batchId, Instant failedAt) {
        this.kafka = kafka;
        this.topic = topic;
        this.appId = appId;
        this.batchId = batchId;
        this.failedAt = failedAt;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        if (!input.hasNext()) {
            return List.<Row>of().iterator();
        }
        Row first = input.next();
        String sourceTopic = first.getString(3);
        int sourcePartition = first.getInt(4);
        Map<String, Long> byReason = new TreeMap<>();
        Iterator<DlqRecord> records = new Iterator<>() {
            private Row pending = first;

            @Override
            public boolean hasNext() {
                return pending != null || input.hasNext();
            }

            @Override
            public DlqRecord next() {
                Row r = pending != null ? pending : input.next();
                pending = null;
                if (r.getInt(4) != sourcePartition || !r.getString(3).equals(sourceTopic)) {
                    // The marker is per source partition: a task must read one (the job sets no minPartitions).
                    throw new IllegalStateException("one task holds records of " + sourceTopic + "/" + sourcePartition
                            + " and " + r.getString(3) + "/" + r.getInt(4));
                }
                byReason.merge(r.getString(0), 1L, Long::sum);
                return new DlqRecord(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInt(4),
                        r.getLong(5), failedAt);
            }
        };
        DlqWriter writer = DlqWriter.of(kafka, topic, DlqWriter.transactionalId(appId, sourceTopic, sourcePartition));
        boolean skipped = writer.writeOnce(batchId, records) < 0;
        // A skipped partition still counts its rejects (the batch's numbers are the same on a re-run).
        records.forEachRemaining(r -> { });
        List<Row> out = new ArrayList<>(byReason.size());
        byReason.forEach((reason, n) -> out.add(RowFactory.create(reason, n, skipped ? 1 : 0)));
        return out.iterator();
    }
}
