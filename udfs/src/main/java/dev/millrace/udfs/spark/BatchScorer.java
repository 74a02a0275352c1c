package dev.millrace.udfs.spark;

import dev.millrace.udfs.NullPolicy;
import dev.millrace.udfs.runtime.BatchResult;
import dev.millrace.udfs.runtime.DeviceSelector;
import dev.millrace.udfs.runtime.FeatureBatch;
import dev.millrace.udfs.runtime.ModelCache;
import dev.millrace.udfs.types.OutputValues;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

import java.util.Arrays;
import java.util.Iterator;

/**
 * The executor-side core shared by every call style: reads up to one batch of internal rows (keeping a copy of each
 * for the output), copies their features into reused buffers, runs the model once for the batch and serves the
 * prediction of each row as an internal row of the output columns. Null or NaN features never reach the model.
 */
public final class BatchScorer implements AutoCloseable {

    private final ScoringPlan plan;
    private final FeatureReader[] readers;
    private final ModelCache.Lease lease;
    private final int capacity;
    private final FeatureBatch batch;
    private final InternalRow[] rows;
    private final int[] slot;
    private final SpecificInternalRow out;
    private BatchResult result;
    private int filled;
    private long rowsSeen;

    /**
     * @param inputOrdinals per input spec, the ordinal of its column in the rows this scorer reads
     */
    public BatchScorer(ScoringPlan plan, int[] inputOrdinals) {
        this.plan = plan;
        int[] sizes = plan.signature().rowSizes();
        this.readers = new FeatureReader[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            readers[i] = FeatureReader.of(plan.ref().inputs().get(i).column(), plan.inputTypes()[i], inputOrdinals[i], sizes[i]);
        }
        this.capacity = plan.batchSize();
        this.batch = new FeatureBatch(capacity, sizes);
        this.rows = new InternalRow[capacity];
        this.slot = new int[capacity];
        DataType[] types = Arrays.stream(plan.outputFields()).map(StructField::dataType).toArray(DataType[]::new);
        this.out = new SpecificInternalRow(scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(types)).toSeq());
        this.lease = ModelCache.global().acquire(plan.ref(), plan.signature(), plan.artifact().value(),
                DeviceSelector.forCurrentTask(plan.ref().engine(), plan.options().device()));
        if (lease.loadedNow()) {
            plan.metrics().addLoad(lease.model().loadNanos());
        }
    }

    /**
     * Reads up to one batch from {@code input} and scores it.
     *
     * @param copyRows whether to keep a copy of each row (true when the caller's iterator reuses its row objects)
     * @return the number of rows read (0 at the end of the input)
     */
    public int next(Iterator<InternalRow> input, boolean copyRows) {
        int n = 0;
        int scored = 0;
        while (n < capacity && input.hasNext()) {
            InternalRow row = input.next();
            rows[n] = copyRows ? row.copy() : row;
            boolean ok = true;
            for (int i = 0; i < readers.length && ok; i++) {
                ok = readers[i].read(row, batch.buffer(i), scored * batch.rowSize(i));
                if (!ok && plan.options().nullPolicy() == NullPolicy.FAIL) {
                    throw new IllegalArgumentException("column " + readers[i].column() + " is null or holds a null or NaN at row "
                            + (rowsSeen + n) + " of this partition (model " + plan.ref().id() + ", null policy FAIL)");
                }
            }
            slot[n] = ok ? scored++ : -1;
            n++;
        }
        rowsSeen += n;
        filled = n;
        result = null;
        long nanos = 0;
        if (scored > 0) {
            batch.setRows(scored);
            long start = System.nanoTime();
            result = lease.model().predict(batch);
            nanos = System.nanoTime() - start;
            if (result.rows() != scored) {
                throw new IllegalStateException("model " + plan.ref().id() + " returned " + result.rows() + " rows for " + scored);
            }
        }
        if (n > 0) {
            plan.metrics().addBatch(n, scored, nanos);
        }
        return n;
    }

    /** The i-th input row of the current batch. */
    public InternalRow input(int i) {
        return rows[i];
    }

    /** The output columns of the i-th row of the current batch (a reused object). */
    public InternalRow output(int i) {
        int s = slot[i];
        OutputValues.fill(out, plan.signature().outputKinds(), result, s);
        return out;
    }

    public int filled() {
        return filled;
    }

    @Override
    public void close() {
        Arrays.fill(rows, null);
        lease.close();
    }
}
