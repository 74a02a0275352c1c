package dev.millrace.featurestore.online;

import java.util.Collections;
import java.util.List;

/**
 * The answer to a read of many keys: the one version every read was resolved against, and for each key asked (in the
 * order asked) its value in that version, or null when the version does not hold it. One version for the whole batch
 * is the point: a batch answer never mixes two publishes.
 */
public record BatchLookup(long version, List<byte[]> values) {

    public BatchLookup {
        values = Collections.unmodifiableList(values);
    }

    public int size() {
        return values.size();
    }

    /** The i-th key's read, as a single {@link Lookup} of the same version. */
    public Lookup get(int i) {
        return new Lookup(version, values.get(i));
    }
}
