package dev.millrace.featurestore.online;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Everything needed to open the online store, read from {@code millrace.serving.*}. Serializable because Spark ships
 * it to the executors that write a version; {@link #toString()} never shows the Redis password.
 */
public final class StoreSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Which implementation {@code millrace.serving.store} selects. */
    public enum Kind { EMBEDDED, REDIS }

    private final Kind kind;
    private final String embeddedPath;
    private final long mapSizeBytes;
    private final int maxReaders;
    private final String redisHost;
    private final int redisPort;
    private final String redisUser;
    private final String redisPassword;
    private final String redisKeyPrefix;
    private final int redisTimeoutMillis;
    private final int redisPoolSize;
    private final RedisTls redisTls;
    private final int batchSize;

    private StoreSettings(Builder b) {
        this.kind = b.kind;
        this.embeddedPath = b.embeddedPath;
        this.mapSizeBytes = b.mapSizeBytes;
        this.maxReaders = b.maxReaders;
        this.redisHost = b.redisHost;
        this.redisPort = b.redisPort;
        this.redisUser = b.redisUser;
        this.redisPassword = b.redisPassword;
        this.redisKeyPrefix = b.redisKeyPrefix;
        this.redisTimeoutMillis = b.redisTimeoutMillis;
        this.redisPoolSize = b.redisPoolSize;
        this.redisTls = b.redisTls;
        this.batchSize = b.batchSize;
        if (batchSize < 1) {
            throw new IllegalArgumentException("millrace.serving.publish.batch-size must be at least 1");
        }
        if (kind == Kind.EMBEDDED && (embeddedPath == null || embeddedPath.isBlank())) {
            throw new IllegalArgumentException("the embedded online store needs a path");
        }
    }

    /** Reads {@code millrace.serving}; an empty embedded path means {@code <lake root>/_serving/store} (local lakes). */
    public static StoreSettings from(MillraceConfig config) {
        String p = "millrace.serving.";
        Builder b = builder(parseKind(config.getString(p + "store")))
                .redis(config.getString(p + "redis.host"), config.getInt(p + "redis.port"))
                .redisCredentials(config.getString(p + "redis.user"), config.getString(p + "redis.password"))
                .redisKeyPrefix(config.getString(p + "redis.key-prefix"))
                .redisTimeout(config.getDuration(p + "redis.timeout"))
                .redisPoolSize(config.getInt(p + "redis.pool-size"))
                .redisTls(new RedisTls(config.getBoolean(p + "redis.tls.enabled"),
                        config.getString(p + "redis.tls.truststore"), config.getString(p + "redis.tls.truststore-password"),
                        config.getString(p + "redis.tls.truststore-type"), config.getString(p + "redis.tls.verify"),
                        config.getString(p + "redis.tls.keystore"), config.getString(p + "redis.tls.keystore-password")))
                .mapSize(config.getBytes(p + "embedded.map-size"))
                .maxReaders(config.getInt(p + "embedded.max-readers"))
                .batchSize(config.getInt(p + "publish.batch-size"));
        String path = config.getString(p + "embedded.path");
        b.embeddedPath(path.isBlank() ? defaultEmbeddedPath(Lake.from(config)) : Path.of(path).toAbsolutePath().toString());
        return b.build();
    }

    static Kind parseKind(String value) {
        try {
            return Kind.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("millrace.serving.store must be 'embedded' or 'redis', got '" + value + "'");
        }
    }

    private static String defaultEmbeddedPath(Lake lake) {
        URI root = URI.create(lake.root().replace(" ", "%20"));
        if (root.getScheme() != null && !"file".equals(root.getScheme())) {
            // LMDB needs a local file system; a remote lake needs an explicit local path (or Redis).
            return "";
        }
        return Path.of(root).resolve("_serving").resolve("store").toString();
    }

    public static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    public Kind kind() {
        return kind;
    }

    public String embeddedPath() {
        return embeddedPath;
    }

    public long mapSizeBytes() {
        return mapSizeBytes;
    }

    public int maxReaders() {
        return maxReaders;
    }

    public String redisHost() {
        return redisHost;
    }

    public int redisPort() {
        return redisPort;
    }

    public String redisUser() {
        return redisUser;
    }

    /** The password, for the Redis client only; never log it. */
    public String redisPassword() {
        return redisPassword;
    }

    public String redisKeyPrefix() {
        return redisKeyPrefix;
    }

    public int redisTimeoutMillis() {
        return redisTimeoutMillis;
    }

    public int redisPoolSize() {
        return redisPoolSize;
    }

    public RedisTls redisTls() {
        return redisTls;
    }

    /** Keys per Redis pipeline flush or LMDB write transaction. */
    public int batchSize() {
        return batchSize;
    }

    /** Where the store is, without secrets: for logs, reports and error messages. */
    @Override
    public String toString() {
        return kind == Kind.EMBEDDED
                ? "embedded LMDB store at " + embeddedPath
                : "Redis at " + redisHost + ":" + redisPort + " (prefix '" + redisKeyPrefix + "'"
                        + (redisUser.isEmpty() ? "" : ", user " + redisUser)
                        + (redisPassword.isEmpty() ? "" : ", password set") + ", " + redisTls + ")";
    }

    /** Builds settings in code (tests, benchmarks); production reads {@link #from(MillraceConfig)}. */
    public static final class Builder {
        private final Kind kind;
        private String embeddedPath = "";
        private long mapSizeBytes = 16L << 30;
        private int maxReaders = 1024;
        private String redisHost = "127.0.0.1";
        private int redisPort = 6379;
        private String redisUser = "";
        private String redisPassword = "";
        private String redisKeyPrefix = "millrace:";
        private int redisTimeoutMillis = 2000;
        private int redisPoolSize = 32;
        private RedisTls redisTls = RedisTls.OFF;
        private int batchSize = 1000;

        private Builder(Kind kind) {
            this.kind = kind;
        }

        public Builder embeddedPath(String path) {
            this.embeddedPath = path;
            return this;
        }

        public Builder mapSize(long bytes) {
            this.mapSizeBytes = bytes;
            return this;
        }

        public Builder maxReaders(int n) {
            this.maxReaders = n;
            return this;
        }

        public Builder redis(String host, int port) {
            this.redisHost = host;
            this.redisPort = port;
            return this;
        }

        public Builder redisCredentials(String user, String password) {
            this.redisUser = user == null ? "" : user;
            this.redisPassword = password == null ? "" : password;
            return this;
        }

        public Builder redisKeyPrefix(String prefix) {
            this.redisKeyPrefix = prefix;
            return this;
        }

        public Builder redisTimeout(Duration timeout) {
            this.redisTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            return this;
        }

        public Builder redisPoolSize(int size) {
            this.redisPoolSize = size;
            return this;
        }

        public Builder redisTls(RedisTls tls) {
            this.redisTls = tls == null ? RedisTls.OFF : tls;
            return this;
        }

        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        public StoreSettings build() {
            return new StoreSettings(this);
        }
    }
}
