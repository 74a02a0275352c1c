package dev.millrace.jobs.stream;

import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;

/**
 * Logs each micro-batch of one query (records, records/s, consumer lag, DLQ so far) and feeds {@link StreamStats}.
 * The lag is the Kafka source's own {@code maxOffsetsBehindLatest} metric: records the query has not read yet in
 * its most behind partition, as of the batch's end.
 */
final class StreamProgressListener extends StreamingQueryListener {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProgressListener.class);

    private final StreamStats stats;
    private volatile UUID queryId;

    StreamProgressListener(StreamStats stats) {
        this.stats = stats;
    }

    void follow(UUID id) {
        this.queryId = id;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress p = event.progress();
        if (queryId != null && !queryId.equals(p.id())) {
            return;
        }
        Long lag = null;
        for (SourceProgress s : p.sources()) {
            Map<String, String> metrics = s.metrics();
            String v = metrics == null ? null : metrics.get("maxOffsetsBehindLatest");
            if (v != null) {
                lag = (lag == null ? 0 : lag) + Long.parseLong(v);
            }
        }
        Long duration = p.durationMs() == null ? null : p.durationMs().get("triggerExecution");
        stats.progress(p.numInputRows(), duration == null ? 0 : duration, p.processedRowsPerSecond(), lag);
        if (p.numInputRows() > 0) {
            LOG.info("batch {}: {} records, {} records/s, lag {}, DLQ so far {} {}", p.batchId(), p.numInputRows(),
                    Math.round(p.processedRowsPerSecond()), lag == null ? "?" : lag, stats.rejected(), stats.rejectedByReason());
        }
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
    }
}
