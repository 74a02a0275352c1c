package dev.millrace.streaming.flink;

import dev.millrace.core.events.RejectReason;
import dev.millrace.core.events.Rejection;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.EnumMap;
import java.util.Map;

/**
 * Rejects events later than the allowed lateness and counts every outcome. Keyed by Kafka partition, it keeps the
 * partition's largest event time in checkpointed state: the partition's watermark is that minus the
 * out-of-orderness bound (the same rule as the source's per-partition watermarks), and an event older than the
 * watermark minus the allowed lateness goes to the DLQ as {@code late_event}. Deciding on the partition's own
 * record order makes the decision the same when a restore replays the partition.
 *
 * <p>Counts are Flink metrics ({@code eventsValid}, {@code dlq_<reason>}, {@code eventsPerSecond}) and accumulators
 * of the same names for the end-of-run summary.
 */
public final class LatenessCheck extends KeyedProcessFunction<String, Validated, Validated> {

    private static final long serialVersionUID = 1L;
    public static final String VALID = "eventsValid";
    public static final String DLQ_PREFIX = "dlq_";

    private final long maxOutOfOrdernessMillis;
    private final long allowedLatenessMillis;
    private transient ValueState<Long> maxEventTime;
    private transient Counter validCount;
    private transient Map<RejectReason, Counter> rejectCounts;
    private transient LongCounter validAcc;
    private transient Map<RejectReason, LongCounter> rejectAccs;

    public LatenessCheck(long maxOutOfOrdernessMillis, long allowedLatenessMillis) {
        this.maxOutOfOrdernessMillis = maxOutOfOrdernessMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    @Override
    public void open(OpenContext ctx) {
        maxEventTime = getRuntimeContext().getState(new ValueStateDescriptor<>("max-event-time", Long.class));
        validCount = getRuntimeContext().getMetricGroup().counter(VALID);
        getRuntimeContext().getMetricGroup().meter("eventsPerSecond", new MeterView(validCount));
        validAcc = new LongCounter();
        getRuntimeContext().addAccumulator(VALID, validAcc);
        rejectCounts = new EnumMap<>(RejectReason.class);
        rejectAccs = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            rejectCounts.put(r, getRuntimeContext().getMetricGroup().counter(DLQ_PREFIX + r.code()));
            LongCounter acc = new LongCounter();
            getRuntimeContext().addAccumulator(DLQ_PREFIX + r.code(), acc);
            rejectAccs.put(r, acc);
        }
    }

    @Override
    public void processElement(Validated v, Context ctx, Collector<Validated> out) throws Exception {
        if (v.valid) {
            Long max = maxEventTime.value();
            long watermark = max == null ? Long.MIN_VALUE : max - maxOutOfOrdernessMillis;
            if (max != null && v.eventTimeMillis < watermark - allowedLatenessMillis) {
                v = v.reject(Rejection.late(v.eventTimeMillis, watermark, allowedLatenessMillis), System.currentTimeMillis());
            } else if (max == null || v.eventTimeMillis > max) {
                maxEventTime.update(v.eventTimeMillis);
            }
        }
        if (v.valid) {
            v.raw = null; // downstream needs the fields only
            validCount.inc();
            validAcc.add(1);
        } else {
            RejectReason r = RejectReason.fromCode(v.reason).orElse(RejectReason.BAD_JSON);
            rejectCounts.get(r).inc();
            rejectAccs.get(r).add(1);
        }
        out.collect(v);
    }
}
