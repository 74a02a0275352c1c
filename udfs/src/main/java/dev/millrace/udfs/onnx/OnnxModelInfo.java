package dev.millrace.udfs.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The signature of an ONNX model (graph inputs and outputs: name, element type, dimensions), read from the file
 * without native code. Used to validate a model reference on the driver before any task starts, and to detect a
 * truncated or non-ONNX file with a message naming it.
 */
public record OnnxModelInfo(long irVersion, List<ValueInfo> inputs, List<ValueInfo> outputs) {

    /** ONNX TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    public static final int STRING = 8;
    public static final int DOUBLE = 11;

    /**
     * One graph input or output.
     *
     * @param name     its name
     * @param kind     "tensor", "sequence", "map" or "unknown"
     * @param elemType the tensor's element type (ONNX enum), or for a sequence of maps the map's value type
     * @param dims     tensor dimensions, -1 where symbolic or absent; null when not a tensor
     */
    public record ValueInfo(String name, String kind, int elemType, long[] dims) {
        @Override
        public String toString() {
            return name + ":" + kind + (dims == null ? "" : Arrays.toString(dims));
        }
    }

    public ValueInfo input(String name) {
        return find(inputs, name);
    }

    public ValueInfo output(String name) {
        return find(outputs, name);
    }

    private static ValueInfo find(List<ValueInfo> list, String name) {
        for (ValueInfo v : list) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /**
     * Parses a serialized ModelProto.
     *
     * @throws IllegalArgumentException when the bytes are not a complete ONNX model
     */
    public static OnnxModelInfo parse(byte[] model) {
        long ir = -1;
        ProtoReader graph = null;
        try {
            ProtoReader r = new ProtoReader(model);
            while (r.next()) {
                if (r.field() == 1 && r.wireType() == ProtoReader.VARINT) {
                    ir = r.readVarint();
                } else if (r.field() == 7 && r.wireType() == ProtoReader.LEN) {
                    graph = r.readMessage();
                } else {
                    r.skip();
                }
            }
            if (graph == null || ir < 0) {
                throw new IllegalArgumentException("not an ONNX model (no ir_version or graph)");
            }
            List<ValueInfo> inputs = new ArrayList<>();
            List<ValueInfo> outputs = new ArrayList<>();
            List<String> initializers = new ArrayList<>();
            while (graph.next()) {
                if (graph.field() == 11 && graph.wireType() == ProtoReader.LEN) {
                    inputs.add(valueInfo(graph.readMessage()));
                } else if (graph.field() == 12 && graph.wireType() == ProtoReader.LEN) {
                    outputs.add(valueInfo(graph.readMessage()));
                } else if (graph.field() == 5 && graph.wireType() == ProtoReader.LEN) {
                    initializers.add(OnnxTensors.name(graph.readMessage()));
                } else {
                    graph.skip();
                }
            }
            // Before IR 4 initializers were also listed as graph inputs; they are not inputs to feed.
            inputs.removeIf(v -> initializers.contains(v.name()));
            return new OnnxModelInfo(ir, List.copyOf(inputs), List.copyOf(outputs));
        } catch (ProtoReader.TruncatedProtoException e) {
            throw new IllegalArgumentException("not a complete ONNX model (truncated or corrupt): " + e.getMessage(), e);
        }
    }

    private static ValueInfo valueInfo(ProtoReader r) {
        String name = null;
        String kind = "unknown";
        int elemType = 0;
        long[] dims = null;
        while (r.next()) {
            if (r.field() == 1 && r.wireType() == ProtoReader.LEN) {
                name = r.readString();
            } else if (r.field() == 2 && r.wireType() == ProtoReader.LEN) {
                ProtoReader type = r.readMessage();
                while (type.next()) {
                    if (type.field() == 1 && type.wireType() == ProtoReader.LEN) {
                        kind = "tensor";
                        List<Long> d = new ArrayList<>();
                        ProtoReader tensor = type.readMessage();
                        while (tensor.next()) {
                            if (tensor.field() == 1 && tensor.wireType() == ProtoReader.VARINT) {
                                elemType = (int) tensor.readVarint();
                            } else if (tensor.field() == 2 && tensor.wireType() == ProtoReader.LEN) {
                                ProtoReader shape = tensor.readMessage();
                                while (shape.next()) {
                                    if (shape.field() == 1 && shape.wireType() == ProtoReader.LEN) {
                                        d.add(dimension(shape.readMessage()));
                                    } else {
                                        shape.skip();
                                    }
                                }
                            } else {
                                tensor.skip();
                            }
                        }
                        dims = d.stream().mapToLong(Long::longValue).toArray();
                    } else if (type.field() == 4 && type.wireType() == ProtoReader.LEN) {
                        kind = "sequence";
                        type.skip();
                    } else if (type.field() == 5 && type.wireType() == ProtoReader.LEN) {
                        kind = "map";
                        type.skip();
                    } else {
                        type.skip();
                    }
                }
            } else {
                r.skip();
            }
        }
        return new ValueInfo(name, kind, elemType, dims);
    }

    private static long dimension(ProtoReader r) {
        long v = -1;
        while (r.next()) {
            if (r.field() == 1 && r.wireType() == ProtoReader.VARINT) {
                v = r.readVarint();
            } else {
                r.skip();
            }
        }
        return v;
    }
}
