package dev.millrace.streaming.delta;

import dev.millrace.streaming.flink.Validated;
import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;

/**
 * Buffers valid events between checkpoints and, before each checkpoint barrier, writes them as Parquet files (one
 * per event_date) into the table's folder without committing: the committer adds them to the log. Keeps the next
 * transaction version as writer state; a fresh start continues after the largest version Delta holds for the app id.
 */
final class DeltaKernelWriter implements CommittingSinkWriter<Validated, DeltaCommittable>, StatefulSinkWriter<Validated, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaKernelWriter.class);

    private final String tablePath;
    private final String appId;
    private final Engine engine;
    private final Map<Integer, List<Validated>> buffer = new TreeMap<>();
    private final Counter filesWritten;
    private long nextVersion;
    private int buffered;

    DeltaKernelWriter(String tablePath, String appId, Long restoredNextVersion, SinkWriterMetricGroup metrics) {
        this.tablePath = tablePath;
        this.appId = appId;
        this.engine = KernelEngines.create();
        BronzeEventsTable.ensure(engine, tablePath);
        if (restoredNextVersion != null) {
            this.nextVersion = restoredNextVersion;
        } else {
            Optional<Long> committed = Table.forPath(engine, tablePath).getLatestSnapshot(engine)
                    .getLatestTransactionVersion(engine, appId);
            this.nextVersion = committed.map(v -> v + 1).orElse(1L);
        }
        this.filesWritten = metrics.counter("deltaFilesWritten");
    }

    @Override
    public void write(Validated v, Context context) {
        buffer.computeIfAbsent(BronzeEventsTable.eventDate(v.eventTimeMillis), d -> new ArrayList<>())
                .add(v);
        buffered++;
    }

    @Override
    public void flush(boolean endOfInput) {
        // Files are written in prepareCommit, once per checkpoint.
    }

    @Override
    public Collection<DeltaCommittable> prepareCommit() throws IOException {
        if (buffered == 0) {
            return List.of();
        }
        Transaction txn = Table.forPath(engine, tablePath)
                .createTransactionBuilder(engine, BronzeEventsTable.ENGINE_INFO, Operation.STREAMING_UPDATE)
                .build(engine);
        Row state = txn.getTransactionState(engine);
        List<DeltaCommittable.DataFile> files = new ArrayList<>();
        long ingestedAt = System.currentTimeMillis();
        for (Map.Entry<Integer, List<Validated>> e : buffer.entrySet()) {
            Map<String, Literal> partition = Map.of(BronzeEventsTable.PARTITION_COLUMN, Literal.ofDate(e.getKey()));
            FilteredColumnarBatch batch = new FilteredColumnarBatch(
                    BronzeEventsTable.batch(e.getValue(), ingestedAt), Optional.empty());
            DataWriteContext ctx = Transaction.getWriteContext(engine, state, partition);
            try (CloseableIterator<FilteredColumnarBatch> physical =
                         Transaction.transformLogicalData(engine, state, singletonCloseableIterator(batch), partition);
                 CloseableIterator<DataFileStatus> written = engine.getParquetHandler()
                         .writeParquetFiles(ctx.getTargetDirectory(), physical, ctx.getStatisticsColumns())) {
                while (written.hasNext()) {
                    DataFileStatus f = written.next();
                    long rows = f.getStatistics().map(s -> s.getNumRecords()).orElse((long) e.getValue().size());
                    files.add(new DeltaCommittable.DataFile(f.getPath(), f.getSize(), f.getModificationTime(), e.getKey(), rows));
                    filesWritten.inc();
                }
            }
        }
        DeltaCommittable c = new DeltaCommittable(appId, nextVersion++, files);
        LOG.debug("prepared Delta version {} of {}: {} rows in {} files", c.version(), appId, buffered, files.size());
        buffer.clear();
        buffered = 0;
        return List.of(c);
    }

    @Override
    public List<Long> snapshotState(long checkpointId) {
        return List.of(nextVersion);
    }

    @Override
    public void close() {
        buffer.clear();
    }
}
