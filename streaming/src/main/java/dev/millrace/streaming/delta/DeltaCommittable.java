package dev.millrace.streaming.delta;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parquet files written for one checkpoint, not yet in the Delta log: committed as one Delta transaction with
 * transaction id ({@code appId}, {@code version}), so committing it twice adds the files once.
 */
public record DeltaCommittable(String appId, long version, List<DataFile> files) {

    /** One written file: absolute path, size, modification time, partition value (days) and row count. */
    public record DataFile(String path, long size, long modificationTime, int eventDate, long rows) {
    }

    public long rows() {
        return files.stream().mapToLong(DataFile::rows).sum();
    }

    /** Flink's checkpoint form of a committable. */
    public static final class Serializer implements SimpleVersionedSerializer<DeltaCommittable> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(DeltaCommittable c) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(c.appId());
                out.writeLong(c.version());
                out.writeInt(c.files().size());
                for (DataFile f : c.files()) {
                    out.writeUTF(f.path());
                    out.writeLong(f.size());
                    out.writeLong(f.modificationTime());
                    out.writeInt(f.eventDate());
                    out.writeLong(f.rows());
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public DeltaCommittable deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown DeltaCommittable serializer version " + version);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                String appId = in.readUTF();
                long v = in.readLong();
                int n = in.readInt();
                List<DataFile> files = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    files.add(new DataFile(in.readUTF(), in.readLong(), in.readLong(), in.readInt(), in.readLong()));
                }
                return new DeltaCommittable(appId, v, files);
            }
        }
    }

    /** Flink's checkpoint form of the writer's state: the next transaction version it will use. */
    public static final class VersionSerializer implements SimpleVersionedSerializer<Long> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long v) {
            return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(v).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) {
            return java.nio.ByteBuffer.wrap(serialized).getLong();
        }
    }
}
