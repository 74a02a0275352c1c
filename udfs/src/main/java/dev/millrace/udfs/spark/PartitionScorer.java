package dev.millrace.udfs.spark;

import dev.millrace.udfs.OutputKind;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.Platform;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores one partition batch by batch: each input row comes out with the output columns appended, as an unsafe
 * row made by one generated projection. When every output is fixed-width (float, int, bigint: the common ranker
 * and classifier case), each input row is projected once, as it is read, into a per-batch byte arena with null
 * outputs, and the predictions are then written into those rows in place: no object per row, one copy of its bytes.
 * Returns its model lease when the input ends or the task completes.
 */
final class PartitionScorer implements Iterator<InternalRow> {

    private final Iterator<InternalRow> input;
    private final BatchScorer scorer;
    private final JoinedRow joined = new JoinedRow();
    private final UnsafeProjection projection;
    private final OutputKind[] kinds;
    private final int firstOutput;
    private final boolean inPlace;
    private final SpecificInternalRow nullOutputs;
    private final UnsafeRow arenaRow;
    private byte[] arena = new byte[1 << 16];
    private int arenaUsed;
    private int[] offsets = new int[0];
    private int[] sizes = new int[0];
    private int captured;
    private int pos;
    private boolean done;

    PartitionScorer(Iterator<InternalRow> input, ScoringPlan plan, int[] inputOrdinals, DataType[] outputTypes) {
        this.input = input;
        this.scorer = new BatchScorer(plan, inputOrdinals);
        this.projection = UnsafeProjection.create(outputTypes);
        this.kinds = plan.signature().outputKinds();
        this.firstOutput = outputTypes.length - kinds.length;
        this.inPlace = Arrays.stream(kinds).allMatch(k -> k == OutputKind.SCALAR || k == OutputKind.ARGMAX || k == OutputKind.LABEL_LONG);
        DataType[] outTypes = Arrays.copyOfRange(outputTypes, firstOutput, outputTypes.length);
        this.nullOutputs = new SpecificInternalRow(scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(outTypes)).toSeq());
        for (int j = 0; j < kinds.length; j++) {
            nullOutputs.setNullAt(j);
        }
        this.arenaRow = new UnsafeRow(outputTypes.length);
        TaskContext tc = TaskContext.get();
        if (tc != null) {
            tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> scorer.close());
        }
    }

    @Override
    public boolean hasNext() {
        if (pos < scorer.filled()) {
            return true;
        }
        if (done) {
            return false;
        }
        pos = 0;
        int n;
        if (inPlace) {
            arenaUsed = 0;
            captured = 0;
            n = scorer.next(new Capturing(), false);
        } else {
            n = scorer.next(input, true);
        }
        if (n == 0) {
            done = true;
            scorer.close();
            return false;
        }
        return true;
    }

    @Override
    public InternalRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int i = pos++;
        if (!inPlace) {
            return projection.apply(joined.apply(scorer.input(i), scorer.output(i)));
        }
        arenaRow.pointTo(arena, Platform.BYTE_ARRAY_OFFSET + offsets[i], sizes[i]);
        InternalRow out = scorer.output(i);
        for (int j = 0; j < kinds.length; j++) {
            if (out.isNullAt(j)) {
                continue; // projected as null already
            }
            switch (kinds[j]) {
                case SCALAR -> arenaRow.setFloat(firstOutput + j, out.getFloat(j));
                case ARGMAX -> arenaRow.setInt(firstOutput + j, out.getInt(j));
                case LABEL_LONG -> arenaRow.setLong(firstOutput + j, out.getLong(j));
                default -> throw new IllegalStateException(kinds[j].name());
            }
        }
        return arenaRow;
    }

    /** Passes the input rows to the scorer, first projecting each (with null outputs) into the arena. */
    private final class Capturing implements Iterator<InternalRow> {
        @Override
        public boolean hasNext() {
            return input.hasNext();
        }

        @Override
        public InternalRow next() {
            InternalRow row = input.next();
            UnsafeRow projected = projection.apply(joined.apply(row, nullOutputs));
            int size = projected.getSizeInBytes();
            if (arenaUsed + size > arena.length) {
                arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + size));
            }
            if (captured == offsets.length) {
                offsets = Arrays.copyOf(offsets, Math.max(16, captured * 2));
                sizes = Arrays.copyOf(sizes, offsets.length);
            }
            Platform.copyMemory(projected.getBaseObject(), projected.getBaseOffset(), arena, Platform.BYTE_ARRAY_OFFSET + arenaUsed, size);
            offsets[captured] = arenaUsed;
            sizes[captured] = size;
            captured++;
            arenaUsed += size;
            return row; // still valid: the scorer reads its features before asking for the next row
        }
    }
}
