package dev.millrace.streaming.delta;

import dev.millrace.core.events.EventJson;
import dev.millrace.core.tables.BronzeEvents;
import dev.millrace.streaming.flink.Validated;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.defaults.internal.data.DefaultColumnarBatch;
import io.delta.kernel.defaults.internal.data.vector.DefaultBinaryVector;
import io.delta.kernel.defaults.internal.data.vector.DefaultDoubleVector;
import io.delta.kernel.defaults.internal.data.vector.DefaultFloatVector;
import io.delta.kernel.defaults.internal.data.vector.DefaultIntVector;
import io.delta.kernel.defaults.internal.data.vector.DefaultLongVector;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.TableAlreadyExistsException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes {@code bronze.events} through Delta Kernel: its schema is core's contract ({@link BronzeEvents#CONTRACT},
 * through {@link KernelSchemas}), the one the Spark Structured Streaming job writes too. Creates the table when it
 * does not exist and turns buffered valid events into Kernel column batches.
 */
public final class BronzeEventsTable {

    public static final String PARTITION_COLUMN = BronzeEvents.EVENT_DATE;
    public static final StructType SCHEMA = KernelSchemas.of(BronzeEvents.CONTRACT);
    static final String ENGINE_INFO = "millrace-stream-flink";

    private BronzeEventsTable() {
    }

    /** Creates the empty, partitioned table at {@code path} unless a table is already there (created by anyone). */
    public static void ensure(Engine engine, String path) {
        Table table = Table.forPath(engine, path);
        try {
            table.getLatestSnapshot(engine);
            return;
        } catch (TableNotFoundException e) {
            // created below
        }
        try {
            table.createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
                    .withSchema(engine, SCHEMA)
                    .withPartitionColumns(engine, BronzeEvents.CONTRACT.partitions())
                    .build(engine)
                    .commit(engine, CloseableIterable.emptyIterable());
        } catch (TableAlreadyExistsException | ConcurrentWriteException e) {
            // Another writer (the Spark job, another subtask) created it first: that table is the one to use.
        }
    }

    /** Days since the epoch (UTC) of an event time: the partition value. */
    public static int eventDate(long eventTimeMillis) {
        return (int) Math.floorDiv(eventTimeMillis, 86_400_000L);
    }

    /**
     * The logical rows of valid events as one columnar batch (timestamps in microseconds, dates in days), its
     * columns in the contract's order.
     */
    public static ColumnarBatch batch(List<Validated> events, long ingestedAtMillis) {
        int n = events.size();
        byte[][] ids = new byte[n][];
        byte[][] users = new byte[n][];
        byte[][] items = new byte[n][];
        byte[][] types = new byte[n][];
        double[] ratings = new double[n];
        boolean[] ratingNull = new boolean[n];
        long[] times = new long[n];
        int[] dates = new int[n];
        int[] partitions = new int[n];
        long[] offsets = new long[n];
        long[] ingested = new long[n];
        boolean[] allNull = new boolean[n];
        for (int i = 0; i < n; i++) {
            Validated v = events.get(i);
            ids[i] = utf8(v.eventId);
            users[i] = utf8(v.userId);
            items[i] = utf8(v.itemId);
            types[i] = utf8(v.eventType);
            ratingNull[i] = v.rating == null;
            ratings[i] = v.rating == null ? 0 : v.rating;
            times[i] = v.eventTimeMillis * 1000L;
            dates[i] = eventDate(v.eventTimeMillis);
            partitions[i] = v.partition;
            offsets[i] = v.offset;
            ingested[i] = ingestedAtMillis * 1000L;
            allNull[i] = true;
        }
        Map<String, ColumnVector> byName = Map.ofEntries(
                Map.entry(EventJson.EVENT_ID, new DefaultBinaryVector(StringType.STRING, n, ids)),
                Map.entry(EventJson.USER_ID, new DefaultBinaryVector(StringType.STRING, n, users)),
                Map.entry(EventJson.ITEM_ID, new DefaultBinaryVector(StringType.STRING, n, items)),
                Map.entry(EventJson.EVENT_TYPE, new DefaultBinaryVector(StringType.STRING, n, types)),
                Map.entry(EventJson.RATING, new DefaultDoubleVector(n, Optional.of(ratingNull), ratings)),
                Map.entry(EventJson.EVENT_TIME, new DefaultLongVector(TimestampType.TIMESTAMP, n, Optional.empty(), times)),
                Map.entry(BronzeEvents.EVENT_DATE, new DefaultIntVector(DateType.DATE, n, Optional.empty(), dates)),
                Map.entry(BronzeEvents.KAFKA_PARTITION, new DefaultIntVector(IntegerType.INTEGER, n, Optional.empty(), partitions)),
                Map.entry(BronzeEvents.KAFKA_OFFSET, new DefaultLongVector(LongType.LONG, n, Optional.empty(), offsets)),
                Map.entry(BronzeEvents.INGESTED_AT, new DefaultLongVector(TimestampType.TIMESTAMP, n, Optional.empty(), ingested)),
                Map.entry(BronzeEvents.SCORE, new DefaultFloatVector(n, Optional.of(allNull), new float[n])));
        // In the schema's order, so a column added to the contract without a vector here fails loudly, not silently.
        ColumnVector[] columns = new ColumnVector[SCHEMA.length()];
        for (int c = 0; c < columns.length; c++) {
            String name = SCHEMA.at(c).getName();
            columns[c] = byName.get(name);
            if (columns[c] == null) {
                throw new IllegalStateException("no values for bronze.events column " + name);
            }
        }
        return new DefaultColumnarBatch(n, SCHEMA, columns);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
