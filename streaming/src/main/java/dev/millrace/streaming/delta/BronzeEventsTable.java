package dev.millrace.streaming.delta;

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
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The layout of {@code bronze.events}, shared with the Spark Structured Streaming job (same columns, partitioned by
 * event_date): the event contract's fields, the Kafka coordinates, the ingestion time and a nullable model score
 * (the Flink job leaves it null). Creates the table through Delta Kernel when it does not exist.
 */
public final class BronzeEventsTable {

    public static final String PARTITION_COLUMN = "event_date";
    public static final StructType SCHEMA = new StructType()
            .add("event_id", StringType.STRING, false)
            .add("user_id", LongType.LONG, false)
            .add("item_id", LongType.LONG, false)
            .add("event_type", StringType.STRING, false)
            .add("rating", DoubleType.DOUBLE, true)
            .add("event_time", TimestampType.TIMESTAMP, false)
            .add(PARTITION_COLUMN, DateType.DATE, false)
            .add("kafka_partition", IntegerType.INTEGER, false)
            .add("kafka_offset", LongType.LONG, false)
            .add("_ingested_at", TimestampType.TIMESTAMP, false)
            .add("score", FloatType.FLOAT, true);
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
                    .withPartitionColumns(engine, List.of(PARTITION_COLUMN))
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

    /** The logical rows of valid events as one columnar batch (timestamps in microseconds, dates in days). */
    public static ColumnarBatch batch(List<Validated> events, long ingestedAtMillis) {
        int n = events.size();
        byte[][] ids = new byte[n][];
        long[] users = new long[n];
        long[] items = new long[n];
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
            ids[i] = v.eventId.getBytes(StandardCharsets.UTF_8);
            users[i] = v.userId;
            items[i] = v.itemId;
            types[i] = v.eventType.getBytes(StandardCharsets.UTF_8);
            ratingNull[i] = v.rating == null;
            ratings[i] = v.rating == null ? 0 : v.rating;
            times[i] = v.eventTimeMillis * 1000L;
            dates[i] = eventDate(v.eventTimeMillis);
            partitions[i] = v.partition;
            offsets[i] = v.offset;
            ingested[i] = ingestedAtMillis * 1000L;
            allNull[i] = true;
        }
        ColumnVector[] columns = {
                new DefaultBinaryVector(StringType.STRING, n, ids),
                new DefaultLongVector(LongType.LONG, n, Optional.empty(), users),
                new DefaultLongVector(LongType.LONG, n, Optional.empty(), items),
                new DefaultBinaryVector(StringType.STRING, n, types),
                new DefaultDoubleVector(n, Optional.of(ratingNull), ratings),
                new DefaultLongVector(TimestampType.TIMESTAMP, n, Optional.empty(), times),
                new DefaultIntVector(DateType.DATE, n, Optional.empty(), dates),
                new DefaultIntVector(IntegerType.INTEGER, n, Optional.empty(), partitions),
                new DefaultLongVector(LongType.LONG, n, Optional.empty(), offsets),
                new DefaultLongVector(TimestampType.TIMESTAMP, n, Optional.empty(), ingested),
                new DefaultFloatVector(n, Optional.of(allNull), new float[n]),
        };
        return new DefaultColumnarBatch(n, SCHEMA, columns);
    }
}
