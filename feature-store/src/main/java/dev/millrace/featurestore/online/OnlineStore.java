package dev.millrace.featurestore.online;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The serving side's key-value store, organised in immutable versions behind one pointer.
 *
 * <p>A publish calls {@link #beginPublish()}, writes the new version through {@link #openWriter(long)} (from Spark
 * tasks, in bulk), checks {@link #count(long, Keyspace)}, then {@link #flip(PublishLease)}: one atomic write that makes
 * it current and keeps the old current as previous. {@link #removeOldVersions(long)} drops everything else older.
 * Readers call {@link #lookup(Keyspace, String)}, which resolves the current version once and reads from it; a
 * second read for the same request passes that version to {@link #get(long, Keyspace, String)}, so a request never
 * mixes two versions. A version stays readable while it is current or previous, so a request that resolved a
 * version just before a flip still finds it. A request for many keys calls {@link #lookupAll(Keyspace, List)}, which
 * resolves the version once for all of them.
 *
 * <p>Overlay entries ({@link #putOverlay}) live outside the versions with a TTL, for fresh values written between
 * publishes (the streaming job's online features).
 */
public interface OnlineStore extends AutoCloseable {

    /** Where the store is, without secrets. */
    String describe();

    /** Whether reads wait on the network, so a server should run them off its I/O threads. */
    boolean blockingReads();

    /** The current and previous version, or empty before the first publish. */
    Optional<VersionPointer> pointer();

    /**
     * Resolves the current version once and reads one key from it.
     *
     * @throws NoCurrentVersionException when nothing has been published
     */
    Lookup lookup(Keyspace keyspace, String key);

    /**
     * Resolves the current version once and reads every key from it, as one read (one LMDB read transaction, one Redis
     * round trip when the version has not moved), so the answer never mixes two versions.
     *
     * @return the version and, per key in the order given, its value or null
     * @throws NoCurrentVersionException when nothing has been published
     */
    BatchLookup lookupAll(Keyspace keyspace, List<String> keys);

    /** Reads one key from a given version (one that {@link #lookup} returned). */
    Optional<byte[]> get(long version, Keyspace keyspace, String key);

    /** Starts a publish: allocates the next version number and prepares room for it. */
    PublishLease beginPublish();

    /** A bulk writer into a version that is being published (one per Spark task). */
    VersionWriter openWriter(long version);

    /** Exact number of keys a version holds in a keyspace. */
    long count(long version, Keyspace keyspace);

    /** Versions that hold data (current, previous, and any left by an unfinished publish), ascending. */
    List<Long> versions();

    /**
     * Makes the leased version current in one atomic write, keeping the old current as previous.
     *
     * @throws PointerMovedException when another publish or a rollback moved the pointer since the lease began
     */
    VersionPointer flip(PublishLease lease);

    /**
     * Swaps current and previous in one atomic write, so running it twice undoes it.
     *
     * @throws OnlineStoreException when there is no previous version
     */
    VersionPointer rollback();

    /** Removes every version below {@code below} that is neither current nor previous; returns those removed. */
    List<Long> removeOldVersions(long below);

    /** Writes a fresh value outside the versions; it disappears after {@code ttl}. */
    void putOverlay(Keyspace keyspace, String key, byte[] value, Duration ttl);

    /** An unexpired overlay value, if any. */
    Optional<byte[]> getOverlay(Keyspace keyspace, String key);

    /** The unexpired overlay values of many keys, in the order given (null where none); one read where the store can. */
    default List<byte[]> getOverlays(Keyspace keyspace, List<String> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            out.add(getOverlay(keyspace, key).orElse(null));
        }
        return out;
    }

    /** Checks the store answers (for readiness); throws {@link OnlineStoreException} when it does not. */
    void ping();

    @Override
    void close();
}
