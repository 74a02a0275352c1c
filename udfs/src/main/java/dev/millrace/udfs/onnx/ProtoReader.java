package dev.millrace.udfs.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of the protobuf wire format, enough to read ONNX model signatures and TensorProto files.
 * Hand-written on purpose: protobuf-java is not on Spark's class path at a fixed version (Spark shades its own), and
 * reading a few fields of onnx.proto does not justify generated classes and a version to keep in step with Spark.
 * Every read is bounds-checked, so a truncated file fails with {@link TruncatedProtoException}.
 */
public final class ProtoReader {

    /** Wire types of protobuf. */
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LEN = 2;
    public static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int end;
    private int tag;

    public ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int from, int end) {
        this.buf = buf;
        this.pos = from;
        this.end = end;
    }

    /** Advances to the next field; false at the end of the message. */
    public boolean next() {
        if (pos >= end) {
            return false;
        }
        tag = (int) readVarint();
        if (tag == 0) {
            throw new TruncatedProtoException("invalid field tag 0 at byte " + pos);
        }
        return true;
    }

    public int field() {
        return tag >>> 3;
    }

    public int wireType() {
        return tag & 7;
    }

    public long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = readByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new TruncatedProtoException("malformed varint at byte " + pos);
    }

    public float readFixed32Float() {
        return Float.intBitsToFloat(readFixed32());
    }

    public int readFixed32() {
        need(4);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long readFixed64() {
        long lo = readFixed32() & 0xFFFFFFFFL;
        long hi = readFixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** A length-delimited field as a reader of its own (a nested message or a packed repeated field). */
    public ProtoReader readMessage() {
        int len = readLength();
        ProtoReader r = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return r;
    }

    public byte[] readBytes() {
        int len = readLength();
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    public String readString() {
        int len = readLength();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    public boolean atEnd() {
        return pos >= end;
    }

    /** Skips the current field's value. */
    public void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8);
            case LEN -> advance(readLength());
            case FIXED32 -> advance(4);
            default -> throw new TruncatedProtoException("unsupported wire type " + wireType() + " at byte " + pos);
        }
    }

    private int readLength() {
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw new TruncatedProtoException("field of " + len + " bytes runs past the end (" + (end - pos) + " left)");
        }
        return (int) len;
    }

    private void advance(int n) {
        need(n);
        pos += n;
    }

    private byte readByte() {
        need(1);
        return buf[pos++];
    }

    private void need(int n) {
        if (end - pos < n) {
            throw new TruncatedProtoException("needed " + n + " more bytes at byte " + pos + " of " + end);
        }
    }

    /** The bytes do not form a complete protobuf message (truncated or not protobuf). */
    public static final class TruncatedProtoException extends RuntimeException {
        public TruncatedProtoException(String message) {
            super(message);
        }
    }
}
