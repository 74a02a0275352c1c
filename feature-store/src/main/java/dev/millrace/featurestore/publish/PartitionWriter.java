package dev.millrace.featurestore.publish;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionWriter;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;

/**
 * Runs in a Spark task: opens the store on the executor, streams the partition's rows into the new version in
 * batches, and adds the number written to an accumulator (Spark applies each task's update once, even when a task is
 * retried), which the driver compares with the store's own count.
 */
final class PartitionWriter implements ForeachPartitionFunction<Row> {

    private static final long serialVersionUID = 1L;

    private final StoreSettings settings;
    private final long version;
    private final RowKind kind;
    private final String keyspace;
    private final LongAccumulator written;

    PartitionWriter(StoreSettings settings, long version, RowKind kind, Keyspace keyspace, LongAccumulator written) {
        this.settings = settings;
        this.version = version;
        this.kind = kind;
        this.keyspace = keyspace.name();
        this.written = written;
    }

    @Override
    public void call(Iterator<Row> rows) {
        if (!rows.hasNext() && kind != RowKind.POPULAR) {
            return;
        }
        Keyspace ks = new Keyspace(keyspace);
        long n = 0;
        try (OnlineStore store = OnlineStores.open(settings); VersionWriter writer = store.openWriter(version)) {
            if (kind == RowKind.POPULAR) {
                writer.put(ks, Keyspace.POPULAR_KEY, popular(rows).encode());
                n = 1;
            } else {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    if (kind == RowKind.RECOMMENDATIONS) {
                        writer.put(ks, userId(row), recommendations(row).encode());
                    } else {
                        writer.put(ks, row.getString(0), row.getString(1).getBytes(StandardCharsets.UTF_8));
                    }
                    n++;
                }
            }
        }
        written.add(n);
    }

    private static String userId(Row row) {
        int i = row.fieldIndex("user_id");
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException("gold.recommendations has a row with a null user_id");
        }
        return Long.toString(row.getLong(i));
    }

    static RecommendationRecord recommendations(Row row) {
        List<Row> items = row.isNullAt(row.fieldIndex("items")) ? List.of() : row.getList(row.fieldIndex("items"));
        long[] ids = new long[items.size()];
        double[] scores = new double[items.size()];
        for (int i = 0; i < ids.length; i++) {
            Row item = items.get(i);
            if (item == null || item.isNullAt(0)) {
                throw new IllegalArgumentException("gold.recommendations has a null item for user " + userId(row));
            }
            ids[i] = item.getLong(0);
            scores[i] = item.isNullAt(1) ? Double.NaN : item.getDouble(1);
        }
        Timestamp at = row.getAs("generated_at");
        return new RecommendationRecord(row.getAs("model_version"), row.getAs("run_id"),
                at == null ? null : at.toInstant(), ids, scores);
    }

    /** Rows {@code (item_id BIGINT, score DOUBLE)} best first, in one partition. */
    private static RecommendationRecord popular(Iterator<Row> rows) {
        java.util.ArrayList<Long> ids = new java.util.ArrayList<>();
        java.util.ArrayList<Double> scores = new java.util.ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            ids.add(r.getLong(0));
            scores.add(r.isNullAt(1) ? Double.NaN : r.getDouble(1));
        }
        return new RecommendationRecord("popularity", "", java.time.Instant.now(),
                ids.stream().mapToLong(Long::longValue).toArray(), scores.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
