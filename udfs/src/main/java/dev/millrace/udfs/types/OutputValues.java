package dev.millrace.udfs.types;

import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.runtime.BatchResult;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.types.UTF8String;

import java.util.Arrays;

/** Writes one row's slice of a batch's outputs into the typed output columns (no boxing for scalar kinds). */
public final class OutputValues {

    private OutputValues() {
    }

    /** @param slot the row's position among the scored rows of the batch, or -1 for a row that was not scored */
    public static void fill(SpecificInternalRow out, OutputKind[] kinds, BatchResult result, int slot) {
        for (int j = 0; j < kinds.length; j++) {
            if (slot < 0) {
                out.setNullAt(j);
                continue;
            }
            int w = result.width(j);
            int from = slot * w;
            switch (kinds[j]) {
                case VECTOR, PROBABILITIES -> out.update(j, UnsafeArrayData.fromPrimitiveArray(Arrays.copyOfRange(result.floats(j), from, from + w)));
                case SCALAR -> out.setFloat(j, result.floats(j)[from]);
                case ARGMAX -> {
                    float[] f = result.floats(j);
                    int best = 0;
                    for (int k = 1; k < w; k++) {
                        if (f[from + k] > f[from + best]) {
                            best = k;
                        }
                    }
                    out.setInt(j, best);
                }
                case LABEL_LONG -> out.setLong(j, result.longs(j)[from]);
                case LABEL_STRING -> out.update(j, UTF8String.fromString(result.strings(j)[from]));
                default -> throw new IllegalStateException(kinds[j].name());
            }
        }
    }
}
