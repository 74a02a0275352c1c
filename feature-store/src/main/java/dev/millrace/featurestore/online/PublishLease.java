package dev.millrace.featurestore.online;

/**
 * A publish in progress: the new version's number and whatever the store holds to keep publishes apart (the
 * embedded store's file lock). Closing it without {@link OnlineStore#flip} leaves the current version untouched;
 * the unfinished version is removed by {@link OnlineStore#removeStaleVersions()}.
 */
public interface PublishLease extends AutoCloseable {

    /** The version being written. */
    long version();

    /** The pointer when the publish began; the flip succeeds only if it has not moved since. */
    java.util.Optional<VersionPointer> basePointer();

    @Override
    void close();
}
