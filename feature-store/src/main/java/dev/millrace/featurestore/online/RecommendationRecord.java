package dev.millrace.featurestore.online;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One user's ranked recommendations (or the popularity list) as stored under {@link Keyspace#RECOMMENDATIONS} and
 * {@link Keyspace#POPULAR}. Binary rather than JSON so the server truncates to {@code k} without parsing text:
 * {@code byte format(=1), u16+utf8 model_version, u16+utf8 run_id, i64 generated_at epoch ms (MIN = none),
 * i32 n, n x (i64 item_id, f64 score)}, big-endian.
 */
public record RecommendationRecord(String modelVersion, String runId, Instant generatedAt, long[] itemIds, double[] scores) {

    private static final byte FORMAT = 1;
    /** Bounds what a corrupt value can make the reader allocate. */
    private static final int MAX_ITEMS = 1_000_000;

    public RecommendationRecord {
        Objects.requireNonNull(itemIds);
        Objects.requireNonNull(scores);
        if (itemIds.length != scores.length) {
            throw new IllegalArgumentException("items and scores differ in length");
        }
        modelVersion = modelVersion == null ? "" : modelVersion;
        runId = runId == null ? "" : runId;
    }

    public int size() {
        return itemIds.length;
    }

    public byte[] encode() {
        byte[] mv = modelVersion.getBytes(StandardCharsets.UTF_8);
        byte[] run = runId.getBytes(StandardCharsets.UTF_8);
        if (mv.length > 0xFFFF || run.length > 0xFFFF) {
            throw new IllegalArgumentException("model_version or run_id longer than 65535 bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + mv.length + 2 + run.length + 8 + 4 + itemIds.length * 16);
        buf.put(FORMAT).putShort((short) mv.length).put(mv).putShort((short) run.length).put(run)
                .putLong(generatedAt == null ? Long.MIN_VALUE : generatedAt.toEpochMilli())
                .putInt(itemIds.length);
        for (int i = 0; i < itemIds.length; i++) {
            buf.putLong(itemIds[i]).putDouble(scores[i]);
        }
        return buf.array();
    }

    public static RecommendationRecord decode(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte format = buf.get();
            if (format != FORMAT) {
                throw new IllegalStateException("unknown recommendation format " + format);
            }
            String mv = string(buf);
            String run = string(buf);
            long at = buf.getLong();
            int n = buf.getInt();
            if (n < 0 || n > MAX_ITEMS || buf.remaining() != n * 16) {
                throw new IllegalStateException("corrupt recommendation value (" + n + " items, " + buf.remaining() + " bytes)");
            }
            long[] items = new long[n];
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                items[i] = buf.getLong();
                scores[i] = buf.getDouble();
            }
            return new RecommendationRecord(mv, run, at == Long.MIN_VALUE ? null : Instant.ofEpochMilli(at), items, scores);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalStateException("truncated recommendation value", e);
        }
    }

    private static String string(ByteBuffer buf) {
        int len = Short.toUnsignedInt(buf.getShort());
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecommendationRecord r && modelVersion.equals(r.modelVersion) && runId.equals(r.runId)
                && Objects.equals(generatedAt, r.generatedAt) && Arrays.equals(itemIds, r.itemIds)
                && Arrays.equals(scores, r.scores);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelVersion, runId, generatedAt, Arrays.hashCode(itemIds), Arrays.hashCode(scores));
    }

    @Override
    public String toString() {
        return "RecommendationRecord[" + modelVersion + ", " + itemIds.length + " items]";
    }
}
