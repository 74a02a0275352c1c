package dev.millrace.streaming.delta;

import dev.millrace.streaming.flink.Validated;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;

/**
 * A two-phase-commit Flink sink into a Delta table on Delta Kernel. Phase one (on each checkpoint barrier) writes the
 * rows buffered since the last checkpoint as Parquet files that no reader sees yet and hands them on as a
 * {@link DeltaCommittable}; phase two (once the checkpoint is complete) commits them as one Delta transaction with
 * the transaction id (app id, version). Delta records the largest committed version per app id, so a committable
 * that a restore replays is recognised and skipped, and rows after the checkpoint come again from Kafka: exactly once.
 * Run it with parallelism 1 (one writer, one committer, one version sequence per app id).
 */
public final class DeltaKernelSink implements Sink<Validated>, SupportsCommitter<DeltaCommittable>,
        SupportsWriterState<Validated, Long> {

    private static final long serialVersionUID = 1L;

    private final String tablePath;
    private final String appId;

    public DeltaKernelSink(String tablePath, String appId) {
        this.tablePath = tablePath;
        this.appId = appId;
    }

    @Override
    public DeltaKernelWriter createWriter(WriterInitContext context) {
        return new DeltaKernelWriter(tablePath, appId, null, context.metricGroup());
    }

    @Override
    public StatefulSinkWriter<Validated, Long> restoreWriter(WriterInitContext context, Collection<Long> state) {
        Long next = state.stream().max(Long::compare).orElse(null);
        return new DeltaKernelWriter(tablePath, appId, next, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new DeltaCommittable.VersionSerializer();
    }

    @Override
    public Committer<DeltaCommittable> createCommitter(CommitterInitContext context) {
        return new DeltaKernelCommitter(tablePath, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<DeltaCommittable> getCommittableSerializer() {
        return new DeltaCommittable.Serializer();
    }
}
