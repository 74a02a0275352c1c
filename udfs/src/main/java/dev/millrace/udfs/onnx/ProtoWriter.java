package dev.millrace.udfs.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The writing half of {@link ProtoReader}: just enough protobuf to write small ONNX graphs (see the class there for why). */
public final class ProtoWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public ProtoWriter varint(int field, long value) {
        tag(field, ProtoReader.VARINT);
        rawVarint(value);
        return this;
    }

    public ProtoWriter fixed32Float(int field, float value) {
        tag(field, ProtoReader.FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    public ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoWriter bytes(int field, byte[] value) {
        tag(field, ProtoReader.LEN);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    public ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
