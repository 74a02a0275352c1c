package dev.millrace.udfs.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.FloatBuffer;

/**
 * Turns a {@link FeatureBatch} into one tensor per model input ([rows, rowShape...], one copy from the reused heap
 * buffer) and copies the outputs back to the heap before DJL closes them. Does its own batching (the batch is
 * already one tensor), hence {@link NoBatchifyTranslator}.
 */
public final class BatchTranslator implements NoBatchifyTranslator<FeatureBatch, BatchResult> {

    private final ModelSignature signature;

    public BatchTranslator(ModelSignature signature) {
        this.signature = signature;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, FeatureBatch batch) {
        NDManager manager = ctx.getNDManager();
        int[] feed = signature.feedOrder();
        NDList list = new NDList(feed.length);
        for (int spec : feed) {
            long[] rowShape = signature.rowShapes()[spec];
            long[] dims = new long[rowShape.length + 1];
            dims[0] = batch.rows();
            System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
            FloatBuffer data = FloatBuffer.wrap(batch.buffer(spec), 0, batch.rows() * batch.rowSize(spec));
            list.add(manager.create(data, new Shape(dims), DataType.FLOAT32));
        }
        return list;
    }

    @Override
    public BatchResult processOutput(TranslatorContext ctx, NDList list) {
        int n = signature.outputIndex().length;
        Object[] values = new Object[n];
        int[] widths = new int[n];
        int rows = -1;
        for (int j = 0; j < n; j++) {
            NDArray a = list.get(signature.outputIndex()[j]);
            long[] shape = a.getShape().getShape();
            rows = shape.length == 0 ? 1 : (int) shape[0];
            widths[j] = rows == 0 ? 0 : (int) (a.size() / rows);
            values[j] = switch (signature.outputKinds()[j]) {
                case LABEL_LONG -> a.toLongArray();
                case LABEL_STRING -> a.toStringArray();
                default -> a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
            };
        }
        return new BatchResult(values, widths, rows);
    }
}
