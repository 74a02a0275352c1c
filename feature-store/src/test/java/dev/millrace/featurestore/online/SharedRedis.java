package dev.millrace.featurestore.online;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One redis-server per test JVM (started on first use, stopped by a shutdown hook), shared like SharedSpark; each
 * test isolates itself with its own key prefix.
 */
public final class SharedRedis {

    private static RedisServer server;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private SharedRedis() {
    }

    public static synchronized RedisServer server() {
        if (server == null) {
            server = RedisServer.start();
            RedisServer s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "redis-server-stop"));
        }
        return server;
    }

    /** Settings with a prefix no other test uses. */
    public static StoreSettings freshSettings(String name) {
        return server().settings("t" + PREFIXES.incrementAndGet() + "-" + name + ":");
    }
}
