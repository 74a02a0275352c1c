package dev.millrace.featurestore.online;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One user's ranked recommendations (or the popularity list) as stored under {@link Keyspace#RECOMMENDATIONS} and
 * {@link Keyspace#POPULAR}, with string item ids. Binary rather than JSON so the server reads only the top {@code k}
 * without parsing text. Format 2 (written): {@code byte format(=2), u16+utf8 model_version, u16+utf8 run_id,
 * i64 generated_at epoch ms (MIN = none), i32 n, n x (u16+utf8 item_id, f64 score)}, big-endian. Format 1 (integer
 * item ids, {@code n x (i64 item_id, f64 score)}) is still read, its ids becoming their decimal text, so a store
 * version published before string keys (a rollback target) keeps serving.
 */
public record RecommendationRecord(String modelVersion, String runId, Instant generatedAt, String[] itemIds, double[] scores) {

    /** The format {@link #encode()} writes. */
    public static final byte FORMAT = 2;
    /** The integer-id format of earlier releases, still decoded. */
    static final byte FORMAT_LONG_IDS = 1;
    /** Bounds what a corrupt value can make the reader allocate. */
    private static final int MAX_ITEMS = 1_000_000;
    /** Smallest encoded item in format 2: an empty id's length and the score. */
    private static final int MIN_ITEM_BYTES = 2 + 8;

    public RecommendationRecord {
        Objects.requireNonNull(itemIds);
        Objects.requireNonNull(scores);
        if (itemIds.length != scores.length) {
            throw new IllegalArgumentException("items and scores differ in length");
        }
        for (int i = 0; i < itemIds.length; i++) {
            if (itemIds[i] == null) {
                throw new IllegalArgumentException("item id " + i + " is null");
            }
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
        byte[][] ids = new byte[itemIds.length][];
        int idBytes = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = itemIds[i].getBytes(StandardCharsets.UTF_8);
            if (ids[i].length > 0xFFFF) {
                throw new IllegalArgumentException("item id " + i + " is longer than 65535 bytes");
            }
            idBytes += ids[i].length;
        }
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + mv.length + 2 + run.length + 8 + 4 + ids.length * MIN_ITEM_BYTES + idBytes);
        buf.put(FORMAT).putShort((short) mv.length).put(mv).putShort((short) run.length).put(run)
                .putLong(generatedAt == null ? Long.MIN_VALUE : generatedAt.toEpochMilli())
                .putInt(ids.length);
        for (int i = 0; i < ids.length; i++) {
            buf.putShort((short) ids[i].length).put(ids[i]).putDouble(scores[i]);
        }
        return buf.array();
    }

    /** The whole record (format 2 or 1); throws {@link IllegalStateException} for a corrupt or unknown value. */
    public static RecommendationRecord decode(byte[] bytes) {
        return decode(bytes, Integer.MAX_VALUE);
    }

    /**
     * The record with only its first {@code limit} items (the server's top k): the rest are not decoded, so a
     * corruption past them goes unnoticed here; {@link #decode(byte[])} checks the whole value.
     */
    public static RecommendationRecord decode(byte[] bytes, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte format = buf.get();
            if (format != FORMAT && format != FORMAT_LONG_IDS) {
                throw new IllegalStateException("unknown recommendation format " + format);
            }
            String mv = string(buf);
            String run = string(buf);
            long at = buf.getLong();
            int n = buf.getInt();
            boolean longIds = format == FORMAT_LONG_IDS;
            long minBytes = (long) n * (longIds ? 16 : MIN_ITEM_BYTES);
            if (n < 0 || n > MAX_ITEMS || (longIds ? buf.remaining() != minBytes : buf.remaining() < minBytes)) {
                throw new IllegalStateException("corrupt recommendation value (" + n + " items, " + buf.remaining() + " bytes)");
            }
            int kept = Math.min(n, limit);
            String[] items = new String[kept];
            double[] scores = new double[kept];
            for (int i = 0; i < kept; i++) {
                items[i] = longIds ? Long.toString(buf.getLong()) : string(buf);
                scores[i] = buf.getDouble();
            }
            if (kept == n && buf.hasRemaining()) {
                throw new IllegalStateException("corrupt recommendation value (" + buf.remaining() + " bytes after " + n + " items)");
            }
            return new RecommendationRecord(mv, run, at == Long.MIN_VALUE ? null : Instant.ofEpochMilli(at), items, scores);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("truncated recommendation value", e);
        }
    }

    /** A u16-length-prefixed UTF-8 string, decoded in place (no copy of the bytes). */
    private static String string(ByteBuffer buf) {
        int len = Short.toUnsignedInt(buf.getShort());
        if (len > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
        buf.position(buf.position() + len);
        return s;
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
