package dev.millrace.jobs.stream;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The running numbers of one {@code stream spark} run, updated by the micro-batch writer (rows, rejects by reason,
 * re-run batches) and the progress listener (throughput, consumer lag); both run on the driver.
 */
final class StreamStats {

    private long batches;
    private long recordsRead;
    private long eventsWritten;
    private long rejected;
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private long deltaBatchesAlreadyCommitted;
    private long dlqBatchesAlreadyCommitted;
    private long lastBatchId = -1;
    private long lastDataAtMillis;
    private Long lastLag;
    private double lastProcessedRowsPerSecond;
    private long progressRows;
    private long progressMillis;
    private long progressBatches;
    private long warmRows;
    private long warmMillis;

    StreamStats(long startedAtMillis) {
        this.lastDataAtMillis = startedAtMillis;
    }

    synchronized void batchDone(long batchId, long read, long written, Map<String, Long> rejects,
                                boolean deltaSkipped, boolean dlqSkipped, long nowMillis) {
        batches++;
        lastBatchId = batchId;
        recordsRead += read;
        eventsWritten += deltaSkipped ? 0 : written;
        rejects.forEach((reason, n) -> {
            rejectedByReason.merge(reason, n, Long::sum);
            rejected += n;
        });
        if (deltaSkipped) {
            deltaBatchesAlreadyCommitted++;
        }
        if (dlqSkipped) {
            dlqBatchesAlreadyCommitted++;
        }
        if (read > 0) {
            lastDataAtMillis = nowMillis;
        }
    }

    synchronized void progress(long rows, long durationMillis, double processedRowsPerSecond, Long lag) {
        progressRows += rows;
        progressMillis += durationMillis;
        if (rows > 0 && ++progressBatches > 1) {
            // The first batch of a run pays for class loading, JIT and the model's first load.
            warmRows += rows;
            warmMillis += durationMillis;
        }
        if (rows > 0) {
            lastProcessedRowsPerSecond = processedRowsPerSecond;
        }
        if (lag != null) {
            lastLag = lag;
        }
    }

    synchronized long batches() {
        return batches;
    }

    synchronized long lastDataAtMillis() {
        return lastDataAtMillis;
    }

    synchronized long eventsWritten() {
        return eventsWritten;
    }

    synchronized long rejected() {
        return rejected;
    }

    synchronized Map<String, Long> rejectedByReason() {
        return new TreeMap<>(rejectedByReason);
    }

    synchronized long deltaBatchesAlreadyCommitted() {
        return deltaBatchesAlreadyCommitted;
    }

    synchronized long dlqBatchesAlreadyCommitted() {
        return dlqBatchesAlreadyCommitted;
    }

    /** Records per second over the batches' own durations (trigger waits excluded). */
    synchronized double averageRecordsPerSecond() {
        return progressMillis == 0 ? 0 : progressRows * 1000.0 / progressMillis;
    }

    /** The summary's numbers. */
    synchronized Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("micro_batches", batches);
        out.put("last_batch_id", lastBatchId);
        out.put("records_read", recordsRead);
        out.put("events_written", eventsWritten);
        out.put("rejected_to_dlq", rejected);
        out.put("rejected_by_reason", new LinkedHashMap<>(rejectedByReason));
        out.put("batches_already_in_delta", deltaBatchesAlreadyCommitted);
        out.put("batches_already_in_dlq", dlqBatchesAlreadyCommitted);
        out.put("records_per_second", Math.round(averageRecordsPerSecond()));
        out.put("records_per_second_after_first_batch", warmMillis == 0 ? "n/a" : Math.round(warmRows * 1000.0 / warmMillis));
        out.put("last_batch_records_per_second", Math.round(lastProcessedRowsPerSecond));
        out.put("consumer_lag_records", lastLag == null ? "unknown" : lastLag);
        return out;
    }
}
