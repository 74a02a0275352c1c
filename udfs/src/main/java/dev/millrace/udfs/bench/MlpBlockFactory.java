package dev.millrace.udfs.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The project's small MLP (Linear + ReLU layers) as a DJL block. DJL cannot export a Java-defined block to
 * TorchScript or ONNX, so a saved {@code .params} file is loaded back with this factory: model reference option
 * {@code blockFactory=dev.millrace.udfs.bench.MlpBlockFactory} and {@code layers=32,64,32,1}.
 */
public final class MlpBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** The block for layer sizes from input to output, e.g. {32, 64, 32, 1}. */
    public static SequentialBlock mlp(int... layers) {
        SequentialBlock block = new SequentialBlock();
        for (int l = 1; l < layers.length; l++) {
            block.add(Linear.builder().setUnits(layers[l]).build());
            if (l < layers.length - 1) {
                block.add((java.util.function.Function<NDList, NDList>) Activation::relu);
            }
        }
        return block;
    }

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        Object spec = arguments.get("layers");
        if (spec == null) {
            throw new IllegalArgumentException("MlpBlockFactory needs the argument layers=in,hidden...,out");
        }
        int[] layers = Arrays.stream(spec.toString().split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        SequentialBlock block = mlp(layers);
        block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, layers[0]));
        return block;
    }

}
