package dev.millrace.featurestore.online.embedded;

import dev.millrace.featurestore.online.Keyspace;

import java.nio.charset.StandardCharsets;

/**
 * Names inside the LMDB environment. Versions live in a fixed ring of {@link #SLOTS} slots (current, previous and
 * one being written); each slot has one database per keyspace ({@code s1/rec}). Databases are emptied and reused,
 * never deleted, so every process keeps a bounded set of valid handles however many publishes happen.
 */
final class LmdbLayout {

    static final int SLOTS = 3;
    /** Enough for the meta database, overlay databases and {@link #SLOTS} x keyspaces. */
    static final int MAX_DBS = 256;

    static final String META = "meta";
    static final byte[] POINTER = bytes("pointer");

    private LmdbLayout() {
    }

    static String data(int slot, Keyspace keyspace) {
        return "s" + slot + "/" + keyspace.name();
    }

    static String overlay(Keyspace keyspace) {
        return "overlay/" + keyspace.name();
    }

    /** Meta key: which version slot {@code slot} holds. */
    static byte[] slotVersion(int slot) {
        return bytes("slot." + slot);
    }

    /** Meta key: the comma-separated keyspaces written into a slot (so emptying it knows its databases). */
    static byte[] slotKeyspaces(int slot) {
        return bytes("slot." + slot + ".keyspaces");
    }

    /** Meta key: the slot that holds a version. */
    static byte[] versionSlot(long version) {
        return bytes("where." + version);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
