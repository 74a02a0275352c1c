package dev.millrace.udfs.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes float {@code onnx.TensorProto} messages (the ONNX backend-test data format, model initializers). */
public final class OnnxTensors {

    private OnnxTensors() {
    }

    /** A float tensor: its dimensions and data in row-major order. */
    public record FloatTensor(String name, long[] dims, float[] data) {
    }

    /** Parses a serialized float TensorProto (float_data or raw_data). */
    public static FloatTensor readFloatTensor(byte[] bytes) {
        ProtoReader r = new ProtoReader(bytes);
        List<Long> dims = new ArrayList<>();
        String name = "";
        int dataType = 0;
        float[] data = null;
        List<Float> floatData = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader packed = r.readMessage();
                        while (!packed.atEnd()) {
                            dims.add(packed.readVarint());
                        }
                    } else {
                        dims.add(r.readVarint());
                    }
                }
                case 2 -> dataType = (int) r.readVarint();
                case 4 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader packed = r.readMessage();
                        while (!packed.atEnd()) {
                            floatData.add(packed.readFixed32Float());
                        }
                    } else {
                        floatData.add(r.readFixed32Float());
                    }
                }
                case 8 -> name = r.readString();
                case 9 -> {
                    ByteBuffer raw = ByteBuffer.wrap(r.readBytes()).order(ByteOrder.LITTLE_ENDIAN);
                    data = new float[raw.remaining() / 4];
                    raw.asFloatBuffer().get(data);
                }
                default -> r.skip();
            }
        }
        if (dataType != OnnxModelInfo.FLOAT) {
            throw new IllegalArgumentException("tensor " + name + " has ONNX data type " + dataType + ", expected FLOAT (1)");
        }
        if (data == null) {
            data = new float[floatData.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = floatData.get(i);
            }
        }
        return new FloatTensor(name, dims.stream().mapToLong(Long::longValue).toArray(), data);
    }

    /** Serializes a float tensor as a TensorProto with raw_data. */
    public static ProtoWriter writeFloatTensor(String name, long[] dims, float[] data) {
        ProtoWriter w = new ProtoWriter();
        for (long d : dims) {
            w.varint(1, d);
        }
        w.varint(2, OnnxModelInfo.FLOAT);
        w.string(8, name);
        ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        w.bytes(9, raw.array());
        return w;
    }

    static String name(ProtoReader tensor) {
        String name = "";
        while (tensor.next()) {
            if (tensor.field() == 8 && tensor.wireType() == ProtoReader.LEN) {
                name = tensor.readString();
            } else {
                tensor.skip();
            }
        }
        return name;
    }
}
