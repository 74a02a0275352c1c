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
final class PartitionScorer extends scala.collection.AbstractIterator<InternalRow> {

    private final scala.collection.Iterator<InternalRow> input;
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
    private final int inBitSet;
    private final int outBitSet;
    private final int inFixed;
    private final int outFixed;
    private final int shift;
    private final int[] variableOrdinals;
    private int[] offsets = new int[0];
    private int[] sizes = new int[0];
    private int captured;
    private int pos;
    private boolean done;

    PartitionScorer(scala.collection.Iterator<InternalRow> input, ScoringPlan plan, int[] inputOrdinals, DataType[] outputTypes) {
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
        this.inBitSet = UnsafeRow.calculateBitSetWidthInBytes(firstOutput);
        this.outBitSet = UnsafeRow.calculateBitSetWidthInBytes(outputTypes.length);
        this.inFixed = inBitSet + 8 * firstOutput;
        this.outFixed = outBitSet + 8 * outputTypes.length;
        this.shift = outFixed - inFixed;
        this.variableOrdinals = java.util.stream.IntStream.range(0, firstOutput).filter(o -> !UnsafeRow.isFixedLength(outputTypes[o])).toArray();
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
            n = scorer.next(new Passing(), true);
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
                arenaRow.setNullAt(firstOutput + j);
                continue;
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


    /** Room for {@code size} more bytes in the arena and one more row; returns the row's offset and records it. */
    private int reserve(int size) {
        if (arenaUsed + size > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + size));
        }
        if (captured == offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(16, captured * 2));
            sizes = Arrays.copyOf(sizes, offsets.length);
        }
        int at = arenaUsed;
        offsets[captured] = at;
        sizes[captured] = size;
        captured++;
        arenaUsed += size;
        return at;
    }

    /**
     * Copies an unsafe input row into the arena as the output row (its fields, then the outputs' slots, zero and
     * not null) with one copy of its fixed and variable parts, instead of a generated projection plus a copy:
     * the outputs' slots move the variable part by {@code shift} bytes, which is added to the offsets of the
     * variable-length fields (an unsafe row stores them relative to its start; a null one holds 0, except a null
     * wide decimal, which keeps its offset).
     */
    private void widen(UnsafeRow u) {
        int size = u.getSizeInBytes() + shift;
        int at = reserve(size);
        Object src = u.getBaseObject();
        long from = u.getBaseOffset();
        long to = Platform.BYTE_ARRAY_OFFSET + at;
        Platform.setMemory(arena, to, outBitSet, (byte) 0);
        Platform.copyMemory(src, from, arena, to, inBitSet);
        Platform.setMemory(arena, to + outBitSet + 8L * firstOutput, 8L * kinds.length, (byte) 0);
        Platform.copyMemory(src, from + inBitSet, arena, to + outBitSet, 8L * firstOutput);
        Platform.copyMemory(src, from + inFixed, arena, to + outFixed, u.getSizeInBytes() - inFixed);
        for (int ordinal : variableOrdinals) {
            long slot = to + outBitSet + 8L * ordinal;
            long offsetAndSize = Platform.getLong(arena, slot);
            if ((offsetAndSize >>> 32) != 0) {
                Platform.putLong(arena, slot, offsetAndSize + ((long) shift << 32));
            }
        }
    }

    /** Passes the input rows to the scorer as they are. */
    private final class Passing implements Iterator<InternalRow> {
        @Override
        public boolean hasNext() {
            return input.hasNext();
        }

        @Override
        public InternalRow next() {
            return input.next();
        }
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
            if (row instanceof UnsafeRow u && u.numFields() == firstOutput) {
                widen(u);
                return row;
            }
            UnsafeRow projected = projection.apply(joined.apply(row, nullOutputs));
            int size = projected.getSizeInBytes();
            int at = reserve(size);
            Platform.copyMemory(projected.getBaseObject(), projected.getBaseOffset(), arena, Platform.BYTE_ARRAY_OFFSET + at, size);
            return row; // still valid: the scorer reads its features before asking for the next row
        }
    }
}
