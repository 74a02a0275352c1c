package dev.millrace.udfs.registry;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * The ranker's network (Linear + ReLU layers, one logit out) as a DJL block. DJL saves a Java-defined block only as
 * {@code .params}, so every reader rebuilds it with this factory: model option {@code blockFactory} = this class,
 * {@code layers} = input size, hidden sizes..., 1 (saved in the model version's params).
 */
public final class RankerBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** The block for layer sizes from input to output. */
    public static SequentialBlock block(int... layers) {
        SequentialBlock block = new SequentialBlock();
        for (int l = 1; l < layers.length; l++) {
            block.add(Linear.builder().setUnits(layers[l]).build());
            if (l < layers.length - 1) {
                block.add((Function<NDList, NDList>) Activation::relu);
            }
        }
        return block;
    }

    /** Parses {@code "57,32,16,1"}. */
    public static int[] layers(String spec) {
        return Arrays.stream(spec.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        Object spec = arguments.get("layers");
        if (spec == null) {
            throw new IllegalArgumentException("RankerBlockFactory needs the argument layers=in,hidden...,1");
        }
        int[] layers = layers(spec.toString());
        SequentialBlock block = block(layers);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, layers[0]));
        return block;
    }
}
