package dev.millrace.streaming.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;
import static io.delta.kernel.internal.util.Utils.toCloseableIterator;

/**
 * Commits prepared Parquet files to the Delta log, one transaction per committable with its transaction id; a
 * version Delta already holds for the app id (a replay after a restore) is acknowledged without writing. Runs the
 * post-commit hooks (log checkpoints, checksums) itself, as Kernel leaves them to the caller.
 */
final class DeltaKernelCommitter implements Committer<DeltaCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaKernelCommitter.class);

    private final String tablePath;
    private final Engine engine;
    private final Counter commits;
    private final Counter skipped;
    private final Counter rows;

    DeltaKernelCommitter(String tablePath, SinkCommitterMetricGroup metrics) {
        this.tablePath = tablePath;
        this.engine = KernelEngines.create();
        this.commits = metrics.counter("deltaCommits");
        this.skipped = metrics.counter("deltaCommitsAlreadyDone");
        this.rows = metrics.counter("deltaRowsCommitted");
    }

    @Override
    public void commit(Collection<CommitRequest<DeltaCommittable>> requests) {
        for (CommitRequest<DeltaCommittable> request : requests) {
            DeltaCommittable c = request.getCommittable();
            try {
                if (commit(c)) {
                    commits.inc();
                    rows.inc(c.rows());
                } else {
                    skipped.inc();
                    request.signalAlreadyCommitted();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Delta commit of version {} of {} failed (attempt {}): {}", c.version(), c.appId(),
                        request.getNumberOfRetries() + 1, e.toString());
                if (request.getNumberOfRetries() < 5) {
                    request.retryLater();
                } else {
                    request.signalFailedWithUnknownReason(e);
                }
            }
        }
    }

    /** Commits one committable; false when Delta already holds its version for the app id. */
    boolean commit(DeltaCommittable c) throws IOException {
        Table table = Table.forPath(engine, tablePath);
        Optional<Long> done = table.getLatestSnapshot(engine).getLatestTransactionVersion(engine, c.appId());
        if (done.isPresent() && done.get() >= c.version()) {
            LOG.info("Delta version {} of {} already committed (latest {}): skipped", c.version(), c.appId(), done.get());
            return false;
        }
        Transaction txn = table.createTransactionBuilder(engine, BronzeEventsTable.ENGINE_INFO, Operation.STREAMING_UPDATE)
                .withTransactionId(engine, c.appId(), c.version())
                .build(engine);
        Row state = txn.getTransactionState(engine);
        List<Row> actions = new ArrayList<>();
        for (DeltaCommittable.DataFile f : c.files()) {
            Map<String, Literal> partition = Map.of(BronzeEventsTable.PARTITION_COLUMN, Literal.ofDate(f.eventDate()));
            DataWriteContext ctx = Transaction.getWriteContext(engine, state, partition);
            try (CloseableIterator<Row> it = Transaction.generateAppendActions(engine, state,
                    singletonCloseableIterator(new DataFileStatus(f.path(), f.size(), f.modificationTime(), Optional.empty())), ctx)) {
                it.forEachRemaining(actions::add);
            }
        }
        TransactionCommitResult result;
        try {
            result = txn.commit(engine, CloseableIterable.inMemoryIterable(toCloseableIterator(actions.iterator())));
        } catch (ConcurrentTransactionException e) {
            LOG.info("Delta version {} of {} was committed concurrently: skipped", c.version(), c.appId());
            return false;
        }
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            try {
                hook.threadSafeInvoke(engine);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Delta post-commit hook {} failed (the commit stands): {}", hook.getType(), e.toString());
            }
        }
        LOG.debug("committed Delta version {} ({} of {}, {} rows)", result.getVersion(), c.version(), c.appId(), c.rows());
        return true;
    }

    @Override
    public void close() {
    }
}
