package dev.millrace.featurestore.publish;

import dev.millrace.core.faults.KillPoints;
import dev.millrace.core.keys.EntityKey;
import dev.millrace.core.tables.GoldTables;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Runs in a Spark task: opens the store on the executor, streams the partition's rows into the new version in
 * batches, and adds the number written to an accumulator (Spark applies each task's update once, even when a task is
 * retried), which the driver compares with the store's own count. Every key follows core's {@link EntityKey} rule, so
 * whatever is written can be asked for over HTTP: a bad user or item id in the gold tables fails the publish (they are
 * our own jobs' output, a bad key there is a bug); a feature row whose served id breaks the rule (a composite id
 * longer than a key may be) is skipped and counted in {@code skipped}.
 */
final class PartitionWriter implements ForeachPartitionFunction<Row> {

    private static final long serialVersionUID = 1L;

    private final StoreSettings settings;
    private final long version;
    private final RowKind kind;
    private final String keyspace;
    private final LongAccumulator written;
    private final LongAccumulator skipped;

    PartitionWriter(StoreSettings settings, long version, RowKind kind, Keyspace keyspace, LongAccumulator written,
                    LongAccumulator skipped) {
        this.settings = settings;
        this.version = version;
        this.kind = kind;
        this.keyspace = keyspace.name();
        this.written = written;
        this.skipped = skipped;
    }

    @Override
    public void call(Iterator<Row> rows) {
        if (!rows.hasNext() && kind != RowKind.POPULAR) {
            return;
        }
        Keyspace ks = new Keyspace(keyspace);
        long n = 0;
        long bad = 0;
        try (OnlineStore store = OnlineStores.open(settings); VersionWriter writer = store.openWriter(version)) {
            if (kind == RowKind.POPULAR) {
                writer.put(ks, Keyspace.POPULAR_KEY, popular(rows).encode());
                n = 1;
            } else {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    if (kind == RowKind.RECOMMENDATIONS) {
                        writer.put(ks, userId(row), recommendations(row).encode());
                    } else if (EntityKey.isValid(row.getString(0))) {
                        writer.put(ks, row.getString(0), row.getString(1).getBytes(StandardCharsets.UTF_8));
                    } else {
                        bad++;
                        continue;
                    }
                    n++;
                }
            }
        }
        written.add(n);
        skipped.add(bad);
        KillPoints.reached("store", "version " + version + " " + keyspace + " partition of " + n);
    }

    private static String userId(Row row) {
        int i = row.fieldIndex(GoldTables.USER_ID);
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException(GoldTables.RECOMMENDATIONS + " has a row with a null user_id");
        }
        return key(GoldTables.RECOMMENDATIONS + " user_id", row.getString(i));
    }

    /** A row of {@code (user_id, items ARRAY<STRUCT<item_id STRING, score DOUBLE>>, model_version, run_id, generated_at)}. */
    static RecommendationRecord recommendations(Row row) {
        int itemsAt = row.fieldIndex(GoldTables.ITEMS);
        List<Row> items = row.isNullAt(itemsAt) ? List.of() : row.getList(itemsAt);
        String[] ids = new String[items.size()];
        double[] scores = new double[items.size()];
        for (int i = 0; i < ids.length; i++) {
            Row item = items.get(i);
            if (item == null || item.isNullAt(0)) {
                throw new IllegalArgumentException(GoldTables.RECOMMENDATIONS + " has a null item for user " + userId(row));
            }
            ids[i] = key(GoldTables.RECOMMENDATIONS + " item_id (user " + userId(row) + ")", item.getString(0));
            scores[i] = item.isNullAt(1) ? Double.NaN : item.getDouble(1);
        }
        Timestamp at = row.getAs(GoldTables.GENERATED_AT);
        return new RecommendationRecord(row.getAs(GoldTables.MODEL_VERSION), row.getAs(GoldTables.RUN_ID),
                at == null ? null : at.toInstant(), ids, scores);
    }

    /** Rows {@code (item_id STRING, score DOUBLE)} best first, in one partition (at most popular-top-n of them). */
    private static RecommendationRecord popular(Iterator<Row> rows) {
        List<String> ids = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            ids.add(key(GoldTables.POPULAR_ITEMS + " item_id", r.getString(0)));
            scores.add(r.isNullAt(1) ? Double.NaN : r.getDouble(1));
        }
        return new RecommendationRecord("popularity", "", Instant.now(), ids.toArray(String[]::new),
                scores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String key(String field, String value) {
        try {
            return EntityKey.require(field, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ": the publish stops, the current version keeps serving", e);
        }
    }
}
