package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.online.VersionWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes full versions of the {@link SoakPopulation} the way {@code publish.Publisher} does, without Spark: begin a
 * lease, write the version, check every keyspace's count, flip, then remove the old versions. It keeps the two
 * numbers an answer's version is checked against: the newest version announced (written and about to be flipped: no
 * answer may come from a later one) and the newest flipped (once a flip returned, no request sent after may see an
 * older one). Not thread-safe: one publish at a time, as the store's publish lock demands.
 */
final class SoakPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SoakPublisher.class);

    /** What one publish did. */
    record Outcome(VersionPointer pointer, List<Long> removed, double seconds) {
    }

    private final OnlineStore store;
    private final AtomicLong announced = new AtomicLong();
    private final AtomicLong flipped = new AtomicLong();
    private final AtomicLong flips = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();

    SoakPublisher(OnlineStore store) {
        this.store = store;
    }

    Outcome publishOnce() {
        long started = System.nanoTime();
        try (PublishLease lease = store.beginPublish()) {
            long version = lease.version();
            Map<Keyspace, Long> written;
            try (VersionWriter w = store.openWriter(version)) {
                written = SoakPopulation.write(w, version);
            }
            for (Map.Entry<Keyspace, Long> e : written.entrySet()) {
                long stored = store.count(version, e.getKey());
                if (stored != e.getValue()) {
                    throw new IllegalStateException("version " + version + " holds " + stored + " keys in "
                            + e.getKey() + ", " + e.getValue() + " were written");
                }
            }
            // Announced before the flip: a reader may see the version as soon as the flip's transaction commits,
            // before flip() returns here.
            announced.set(version);
            VersionPointer pointer = store.flip(lease);
            flipped.set(pointer.current());
            flips.incrementAndGet();
            List<Long> gone = store.removeOldVersions(pointer.current());
            removed.addAndGet(gone.size());
            double seconds = (System.nanoTime() - started) / 1e9;
            LOG.info("soak: published version {} (previous {}, removed {}) in {} s", pointer.current(),
                    pointer.previous(), gone, String.format("%.2f", seconds));
            return new Outcome(pointer, gone, seconds);
        }
    }

    /** The newest version written and announced for a flip: no answer may carry a later one. */
    long announced() {
        return announced.get();
    }

    /** The newest version whose flip returned: a request sent after this read must not see an older one. */
    long flipped() {
        return flipped.get();
    }

    long flips() {
        return flips.get();
    }

    long removedVersions() {
        return removed.get();
    }
}
