package dev.millrace.featurestore.online;

import java.nio.charset.StandardCharsets;

/**
 * A publisher that dies in the middle of writing (run as a child JVM by the crash tests): it begins a version,
 * writes half its keys, and halts the JVM with a write still open, as a killed executor would.
 * Arguments: {@code embedded PATH} or {@code redis PORT PREFIX}, then the number of keys; with {@code complete}
 * before them it publishes the whole version and flips instead (a publish from another process).
 */
public final class CrashingPublish {

    public static final int EXIT_CODE = 37;

    private CrashingPublish() {
    }

    public static void main(String[] argv) {
        boolean complete = argv[0].equals("complete");
        String[] args = complete ? java.util.Arrays.copyOfRange(argv, 1, argv.length) : argv;
        StoreSettings settings = args[0].equals("embedded")
                ? StoreSettings.builder(StoreSettings.Kind.EMBEDDED).embeddedPath(args[1]).batchSize(50).build()
                : StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", Integer.parseInt(args[1]))
                        .redisKeyPrefix(args[2]).batchSize(50).build();
        int keys = Integer.parseInt(args[args.length - 1]);
        OnlineStore store = OnlineStores.open(settings);
        if (complete) {
            try (store) {
                VersionPointer p = OnlineStoreContract.publish(store, keys);
                System.out.println("published version " + p.current());
            }
            return;
        }
        PublishLease lease = store.beginPublish();
        VersionWriter writer = store.openWriter(lease.version());
        for (int i = 0; i < keys / 2 + 7; i++) {
            // Not a multiple of the batch size: the last batch is still open (an LMDB write transaction holding the
            // writer lock, or unsent pipelined commands) when the process dies.
            writer.put(Keyspace.RECOMMENDATIONS, Integer.toString(i),
                    ("crash-" + lease.version()).getBytes(StandardCharsets.UTF_8));
        }
        System.out.println("halting in version " + lease.version());
        System.out.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
    }
}
