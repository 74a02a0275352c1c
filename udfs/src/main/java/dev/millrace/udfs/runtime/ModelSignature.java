package dev.millrace.udfs.runtime;

import dev.millrace.udfs.InputSpec;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.OutputSpec;
import dev.millrace.udfs.onnx.OnnxModelInfo;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A model reference checked against its model: per input spec the per-row shape and size, the order in which the
 * model takes the inputs, per output spec the position of its tensor in the model's outputs, and a fixed batch size
 * when the model declares one. Resolved once on the driver, so that a mapping that does not fit fails before any task.
 */
public record ModelSignature(long[][] rowShapes, int[] rowSizes, int[] feedOrder, int[] outputIndex,
                             OutputKind[] outputKinds, int fixedBatch) implements Serializable {

    /** Resolves {@code ref} against the ONNX signature (ONNX Runtime) or the shapes given in the reference (PyTorch). */
    public static ModelSignature resolve(ModelRef ref, ModelArtifact artifact) {
        List<InputSpec> inputs = ref.inputs();
        List<OutputSpec> outputs = ref.outputs();
        long[][] shapes = new long[inputs.size()][];
        int[] feed = new int[inputs.size()];
        int[] outIdx = new int[outputs.size()];
        OutputKind[] kinds = new OutputKind[outputs.size()];
        int fixedBatch = 0;
        if (ref.engine() == ModelEngine.ONNX_RUNTIME) {
            byte[] bytes = artifact.file(artifact.mainFile().isEmpty() ? onnxFile(artifact) : "");
            OnnxModelInfo info;
            try {
                info = OnnxModelInfo.parse(bytes);
            } catch (IllegalArgumentException e) {
                throw new ModelException("model " + ref.id() + ": " + artifact.location() + " is " + e.getMessage(), e);
            }
            if (info.inputs().size() != inputs.size()) {
                throw new ModelException("model " + ref.id() + " takes " + info.inputs().size() + " inputs " + info.inputs()
                        + " but the reference maps " + inputs.size() + " columns " + inputs);
            }
            Arrays.fill(feed, -1);
            for (int i = 0; i < inputs.size(); i++) {
                InputSpec spec = inputs.get(i);
                int pos = spec.tensor() == null ? i : indexOf(info.inputs(), spec.tensor());
                if (pos < 0) {
                    throw new ModelException("model " + ref.id() + " has no input named '" + spec.tensor() + "' (column "
                            + spec.column() + "); its inputs are " + info.inputs());
                }
                OnnxModelInfo.ValueInfo v = info.inputs().get(pos);
                if (!v.kind().equals("tensor") || (v.elemType() != OnnxModelInfo.FLOAT)) {
                    throw new ModelException("model " + ref.id() + " input '" + v.name() + "' is " + v.kind() + " of ONNX type "
                            + v.elemType() + "; only float tensors can be fed from column " + spec.column());
                }
                long[] modelRow = v.dims() == null || v.dims().length == 0 ? null : Arrays.copyOfRange(v.dims(), 1, v.dims().length);
                if (v.dims() != null && v.dims().length > 0 && v.dims()[0] > 0) {
                    fixedBatch = (int) v.dims()[0];
                }
                long[] shape = spec.rowShape() != null ? spec.rowShape() : modelRow;
                if (shape == null || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
                    throw new ModelException("model " + ref.id() + " input '" + v.name() + "' has shape " + Arrays.toString(v.dims())
                            + " with unknown dimensions: give the per-row shape for column " + spec.column());
                }
                if (modelRow != null && Arrays.stream(modelRow).allMatch(d -> d > 0) && product(modelRow) != product(shape)) {
                    throw new ModelException("column " + spec.column() + " is mapped with per-row shape " + Arrays.toString(shape)
                            + " but model " + ref.id() + " input '" + v.name() + "' expects " + Arrays.toString(modelRow));
                }
                shapes[i] = shape;
                feed[pos] = i;
            }
            for (int j = 0; j < outputs.size(); j++) {
                OutputSpec spec = outputs.get(j);
                int pos = outputPosition(spec, j, info.outputs().stream().map(OnnxModelInfo.ValueInfo::name).toList());
                if (pos < 0 || pos >= info.outputs().size()) {
                    throw new ModelException("model " + ref.id() + " has no output '" + spec.tensor() + "' (column " + spec.column()
                            + "); its outputs are " + info.outputs());
                }
                checkKind(ref, spec, info.outputs().get(pos));
                outIdx[j] = pos;
                kinds[j] = spec.kind();
            }
        } else {
            for (int i = 0; i < inputs.size(); i++) {
                InputSpec spec = inputs.get(i);
                if (spec.rowShape() == null) {
                    throw new ModelException("PyTorch model " + ref.id() + " declares no input shapes: give the per-row shape for column "
                            + spec.column());
                }
                shapes[i] = spec.rowShape();
                feed[i] = i;
            }
            for (int j = 0; j < outputs.size(); j++) {
                OutputSpec spec = outputs.get(j);
                if (spec.kind() != OutputKind.VECTOR && spec.kind() != OutputKind.SCALAR && spec.kind() != OutputKind.ARGMAX) {
                    throw new ModelException("output kind " + spec.kind() + " (column " + spec.column() + ") needs an ONNX-ML model");
                }
                outIdx[j] = outputPosition(spec, j, List.of());
                if (outIdx[j] < 0) {
                    throw new ModelException("PyTorch outputs have no names: use '#i' or no name for column " + spec.column());
                }
                kinds[j] = spec.kind();
            }
        }
        int[] sizes = new int[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            sizes[i] = Math.toIntExact(product(shapes[i]));
        }
        return new ModelSignature(shapes, sizes, feed, outIdx, kinds, fixedBatch);
    }

    /** The batch size to use: the model's fixed batch when it declares one, else the requested one. */
    public int batchSize(int requested) {
        return fixedBatch > 0 ? fixedBatch : requested;
    }

    private static void checkKind(ModelRef ref, OutputSpec spec, OnnxModelInfo.ValueInfo v) {
        boolean ok = switch (spec.kind()) {
            case VECTOR, SCALAR, ARGMAX -> v.kind().equals("tensor") && (v.elemType() == OnnxModelInfo.FLOAT || v.elemType() == OnnxModelInfo.DOUBLE);
            case LABEL_LONG -> v.kind().equals("tensor") && v.elemType() == OnnxModelInfo.INT64;
            case LABEL_STRING -> v.kind().equals("tensor") && v.elemType() == OnnxModelInfo.STRING;
            case PROBABILITIES -> v.kind().equals("sequence") || v.kind().equals("tensor");
        };
        if (!ok) {
            throw new ModelException("model " + ref.id() + " output '" + v.name() + "' is a " + v.kind() + " of ONNX type " + v.elemType()
                    + ", which cannot become column " + spec.column() + " as " + spec.kind());
        }
    }

    private static int outputPosition(OutputSpec spec, int specIndex, List<String> names) {
        if (spec.tensor() == null) {
            return specIndex;
        }
        if (spec.tensor().startsWith("#")) {
            return Integer.parseInt(spec.tensor().substring(1));
        }
        return names.indexOf(spec.tensor());
    }

    private static int indexOf(List<OnnxModelInfo.ValueInfo> list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    static String onnxFile(ModelArtifact artifact) {
        List<String> onnx = artifact.files().keySet().stream().filter(f -> f.endsWith(".onnx")).toList();
        if (onnx.size() != 1) {
            throw new ModelException("model folder " + artifact.location() + " must hold exactly one .onnx file, found " + onnx);
        }
        return onnx.get(0);
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }
}
