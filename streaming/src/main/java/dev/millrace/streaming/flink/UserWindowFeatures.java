package dev.millrace.streaming.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;

/**
 * Sliding event-time windows per user, evaluated on every event so features are fresh within the event's own
 * processing (a window operator would wait for the watermark). State per user: event times of the last 60 minutes
 * (sorted) and the last N (event time, item key) pairs. The value emitted after the last event of a user does not
 * depend on arrival order: counts are over (latest - window, latest], and entries fall out only when older than
 * the 60-minute window of a later latest event. An event-time timer clears a user whose window has emptied.
 */
public final class UserWindowFeatures extends KeyedProcessFunction<String, Validated, UserFeatures> {

    private static final long serialVersionUID = 1L;
    static final long SHORT_WINDOW = 5 * 60_000L;
    static final long LONG_WINDOW = 60 * 60_000L;

    private final int lastN;
    private transient ValueState<long[]> times;
    private transient ValueState<long[]> recentTimes;
    private transient ValueState<String[]> recentItems;

    public UserWindowFeatures(int lastN) {
        if (lastN < 1) {
            throw new IllegalArgumentException("millrace.stream.flink.features.last-n must be at least 1");
        }
        this.lastN = lastN;
    }

    @Override
    public void open(OpenContext ctx) {
        times = getRuntimeContext().getState(new ValueStateDescriptor<>("times-60m", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        // The last N (event time, item key) pairs as two parallel arrays, newest first: typed state, no Kryo.
        recentTimes = getRuntimeContext().getState(new ValueStateDescriptor<>("last-item-times",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        recentItems = getRuntimeContext().getState(new ValueStateDescriptor<>("last-item-keys",
                BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
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

        Recent recent = Recent.of(recentTimes.value(), recentItems.value()).insert(v.eventTimeMillis, v.itemId, lastN);
        recentTimes.update(recent.times());
        recentItems.update(recent.items());

        UserFeatures f = new UserFeatures();
        f.userId = v.userId;
        f.events60m = next.length;
        f.events5m = next.length - firstAfter(next, latest - SHORT_WINDOW);
        f.lastItems = recent.items().clone();
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
            recentTimes.clear();
            recentItems.clear();
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

    /**
     * A user's last N (event time, item key) pairs, newest first (ties: the later arrival first), as two parallel
     * arrays of equal length.
     */
    record Recent(long[] times, String[] items) {

        static Recent of(long[] times, String[] items) {
            if (times == null || items == null || times.length != items.length) {
                return new Recent(new long[0], new String[0]);
            }
            return new Recent(times, items);
        }

        /** These pairs with (time, item) inserted at its place, keeping n pairs at most. */
        Recent insert(long time, String item, int n) {
            int count = times.length;
            int pos = 0;
            while (pos < count && times[pos] > time) {
                pos++;
            }
            if (pos >= n) {
                return this;
            }
            int newCount = Math.min(n, count + 1);
            long[] t = new long[newCount];
            String[] i = new String[newCount];
            System.arraycopy(times, 0, t, 0, pos);
            System.arraycopy(items, 0, i, 0, pos);
            t[pos] = time;
            i[pos] = item;
            System.arraycopy(times, pos, t, pos + 1, newCount - pos - 1);
            System.arraycopy(items, pos, i, pos + 1, newCount - pos - 1);
            return new Recent(t, i);
        }
    }
}
