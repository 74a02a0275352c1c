package dev.millrace.udfs.onnx;

import java.util.Random;

/**
 * Writes a small fully connected network (Gemm + Relu layers, one float output per row) as an ONNX model with a
 * dynamic batch dimension. The benchmark needs an ONNX MLP and no ONNX exporter runs offline here; the weights come
 * from a seeded random generator, so the same seed gives the same model.
 */
public final class OnnxMlpWriter {

    private OnnxMlpWriter() {
    }

    /**
     * @param layerSizes sizes from input to output, e.g. {32, 64, 32, 1}
     * @param weights    per layer, weights [in*out] row-major as [in][out] then bias [out]; null: seeded random
     */
    public static byte[] write(int[] layerSizes, float[][] weights, long seed) {
        Random rnd = new Random(seed);
        ProtoWriter graph = new ProtoWriter();
        String current = "features";
        int layers = layerSizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = layerSizes[l];
            int out = layerSizes[l + 1];
            float[] w = new float[in * out];
            float[] b = new float[out];
            if (weights != null) {
                System.arraycopy(weights[2 * l], 0, w, 0, w.length);
                System.arraycopy(weights[2 * l + 1], 0, b, 0, b.length);
            } else {
                float scale = (float) Math.sqrt(2.0 / in);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rnd.nextGaussian() * scale;
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rnd.nextGaussian() * 0.01f;
                }
            }
            graph.message(5, OnnxTensors.writeFloatTensor("W" + l, new long[] {in, out}, w));
            graph.message(5, OnnxTensors.writeFloatTensor("B" + l, new long[] {out}, b));
            String gemmOut = l == layers - 1 ? "score" : "h" + l;
            graph.message(1, node("Gemm", "gemm" + l, gemmOut, current, "W" + l, "B" + l));
            current = gemmOut;
            if (l < layers - 1) {
                String relu = "r" + l;
                graph.message(1, node("Relu", "relu" + l, relu, current));
                current = relu;
            }
        }
        graph.string(2, "mlp");
        graph.message(11, valueInfo("features", layerSizes[0]));
        graph.message(12, valueInfo("score", layerSizes[layers]));
        return new ProtoWriter()
                .varint(1, 7)                       // ir_version 7 (ONNX 1.8+), read by every ONNX Runtime 1.x
                .string(2, "millrace")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, 13))
                .toByteArray();
    }

    private static ProtoWriter node(String op, String name, String output, String... inputs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) {
            n.string(1, i);
        }
        return n.string(2, output).string(3, name).string(4, op);
    }

    private static ProtoWriter valueInfo(String name, int width) {
        ProtoWriter shape = new ProtoWriter()
                .message(1, new ProtoWriter().string(2, "batch"))
                .message(1, new ProtoWriter().varint(1, width));
        ProtoWriter tensor = new ProtoWriter().varint(1, OnnxModelInfo.FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
