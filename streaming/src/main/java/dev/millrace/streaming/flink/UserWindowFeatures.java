package dev.millrace.streaming.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;

/**
 * Sliding event-time windows per user, evaluated on every event so features are fresh within the event's own
 * processing (a window operator would wait for the watermark). State per user: event times of the last 60 minutes
 * (sorted) and the last N (event time, item) pairs. The value emitted after the last event of a user does not
 * depend on arrival order: counts are over (latest - window, latest], and entries fall out only when older than
 * the 60-minute window of a later latest event. An event-time timer clears a user whose window has emptied.
 */
public final class UserWindowFeatures extends KeyedProcessFunction<Long, Validated, UserFeatures> {

    private static final long serialVersionUID = 1L;
    static final long SHORT_WINDOW = 5 * 60_000L;
    static final long LONG_WINDOW = 60 * 60_000L;

    private final int lastN;
    private transient ValueState<long[]> times;
    private transient ValueState<long[]> recent;

    public UserWindowFeatures(int lastN) {
        if (lastN < 1) {
            throw new IllegalArgumentException("millrace.stream.flink.features.last-n must be at least 1");
        }
        this.lastN = lastN;
    }

    @Override
    public void open(OpenContext ctx) {
        times = getRuntimeContext().getState(new ValueStateDescriptor<>("times-60m", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        // Interleaved (event time, item id) pairs, newest event time first.
        recent = getRuntimeContext().getState(new ValueStateDescriptor<>("last-items", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(Validated v, Context ctx, Collector<UserFeatures> out) throws Exception {
        long[] ts = times.value();
        ts = ts == null ? new long[0] : ts;
        long latest = Math.max(ts.length == 0 ? Long.MIN_VALUE : ts[ts.length - 1], v.eventTimeMillis);
        long cutoff = latest - LONG_WINDOW;
        // Keep the sorted times inside (latest - 60 min, latest], inserting this event if it belongs there.
        int keepFrom = firstAfter(ts, cutoff);
        long[] next;
        if (v.eventTimeMillis > cutoff) {
            int pos = firstAfter(ts, v.eventTimeMillis);
            next = new long[ts.length - keepFrom + 1];
            System.arraycopy(ts, keepFrom, next, 0, Math.max(0, pos - keepFrom));
            int head = Math.max(0, pos - keepFrom);
            next[head] = v.eventTimeMillis;
            System.arraycopy(ts, Math.max(pos, keepFrom), next, head + 1, ts.length - Math.max(pos, keepFrom));
        } else {
            next = Arrays.copyOfRange(ts, keepFrom, ts.length);
        }
        times.update(next);

        long[] pairs = recent.value();
        pairs = pairs == null ? new long[0] : pairs;
        pairs = insertRecent(pairs, v.eventTimeMillis, v.itemId, lastN);
        recent.update(pairs);

        UserFeatures f = new UserFeatures();
        f.userId = v.userId;
        f.events60m = next.length;
        f.events5m = next.length - firstAfter(next, latest - SHORT_WINDOW);
        f.lastItems = new long[pairs.length / 2];
        for (int i = 0; i < f.lastItems.length; i++) {
            f.lastItems[i] = pairs[2 * i + 1];
        }
        f.featureTsMillis = latest;
        f.sourceTimestamp = v.kafkaTimestamp;
        out.collect(f);
        // Clear the user once a watermark passes the end of its 60-minute window (state stays bounded).
        ctx.timerService().registerEventTimeTimer(latest + LONG_WINDOW);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UserFeatures> out) throws Exception {
        long[] ts = times.value();
        if (ts != null && ts.length > 0 && ts[ts.length - 1] + LONG_WINDOW <= timestamp) {
            times.clear();
            recent.clear();
        }
    }

    /** Index of the first element strictly greater than {@code bound} in a sorted array. */
    static int firstAfter(long[] sorted, long bound) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= bound) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Inserts (time, item) into pairs ordered newest first (ties: the later arrival first), keeping n pairs. */
    static long[] insertRecent(long[] pairs, long time, long item, int n) {
        int count = pairs.length / 2;
        int pos = 0;
        while (pos < count && pairs[2 * pos] > time) {
            pos++;
        }
        if (pos >= n) {
            return pairs;
        }
        int newCount = Math.min(n, count + 1);
        long[] out = new long[2 * newCount];
        System.arraycopy(pairs, 0, out, 0, 2 * pos);
        out[2 * pos] = time;
        out[2 * pos + 1] = item;
        System.arraycopy(pairs, 2 * pos, out, 2 * pos + 2, 2 * (newCount - pos - 1));
        return out;
    }
}
