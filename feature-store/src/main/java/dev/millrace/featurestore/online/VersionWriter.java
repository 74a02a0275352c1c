package dev.millrace.featurestore.online;

/**
 * Bulk writer of one not-yet-current version, used by one Spark task: puts are buffered and sent in batches
 * (a Redis pipeline, an LMDB write transaction) and {@link #close()} flushes what is left. Not thread-safe.
 */
public interface VersionWriter extends AutoCloseable {

    void put(Keyspace keyspace, String key, byte[] value);

    /** Sends buffered puts now. */
    void flush();

    /** Flushes and releases the connection or transaction. */
    @Override
    void close();
}
