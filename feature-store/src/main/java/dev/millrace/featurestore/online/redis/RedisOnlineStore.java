package dev.millrace.featurestore.online.redis;

import dev.millrace.featurestore.online.BatchLookup;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.PointerMovedException;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.RedisTls;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.online.VersionWriter;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The online store on Redis (standalone or a primary with replicas; not Redis Cluster, whose slots would split a
 * version's keys), through Jedis 8's pooled {@link RedisClient}. Versions never overwrite each other: each has its
 * own hashes, and the pointer is one string moved by a compare-and-set script. A lookup sends the pointer read and
 * the value read for the version it last saw in one pipeline (one round trip); if the pointer has moved it reads
 * again from the new version, so every answer comes from the version the pointer named when the value was read.
 */
public final class RedisOnlineStore implements OnlineStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineStore.class);

    /** Moves the pointer only if it still holds ARGV[1] ('' = unset): the atomic flip and rollback. */
    private static final String CAS = "local cur = redis.call('GET', KEYS[1]) or ''\n"
            + "if cur ~= ARGV[1] then return 0 end\n"
            + "redis.call('SET', KEYS[1], ARGV[2])\n"
            + "return 1";
    private static final int LOOKUP_ATTEMPTS = 5;

    private final StoreSettings settings;
    private final RedisKeys keys;
    private final RedisClient client;
    /** The version the last lookup saw: the guess that makes a lookup one round trip. */
    private volatile long lastSeen;

    public RedisOnlineStore(StoreSettings settings) {
        this.settings = settings;
        this.keys = new RedisKeys(settings.redisKeyPrefix());
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .timeoutMillis(settings.redisTimeoutMillis())
                .clientName("millrace");
        if (!settings.redisUser().isEmpty()) {
            cfg.user(settings.redisUser());
        }
        if (!settings.redisPassword().isEmpty()) {
            cfg.password(settings.redisPassword());
        }
        RedisTls tls = settings.redisTls();
        if (tls.enabled()) {
            cfg.ssl(true).sslOptions(sslOptions(tls));
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.redisPoolSize());
        pool.setMaxIdle(settings.redisPoolSize());
        pool.setMaxWait(Duration.ofMillis(settings.redisTimeoutMillis()));
        this.client = RedisClient.builder()
                .hostAndPort(settings.redisHost(), settings.redisPort())
                .clientConfig(cfg.build())
                .poolConfig(pool)
                .build();
    }

    private static SslOptions sslOptions(RedisTls tls) {
        SslOptions.Builder b = SslOptions.builder().sslVerifyMode(SslVerifyMode.valueOf(tls.verify().toUpperCase(Locale.ROOT)));
        if (!tls.truststore().isEmpty()) {
            b.truststore(new File(tls.truststore()), tls.truststorePassword().toCharArray()).trustStoreType(tls.truststoreType());
        }
        if (!tls.keystore().isEmpty()) {
            b.keystore(new File(tls.keystore()), tls.keystorePassword().toCharArray()).keyStoreType("PKCS12");
        }
        return b.build();
    }

    @Override
    public String describe() {
        return settings.toString();
    }

    @Override
    public boolean blockingReads() {
        return true;
    }

    @Override
    public Optional<VersionPointer> pointer() {
        return call("read the version pointer", () -> decode(client.get(keys.pointer())));
    }

    @Override
    public Lookup lookup(Keyspace keyspace, String key) {
        return call("read " + keyspace, () -> {
            long guess = lastSeen;
            byte[] field = key.getBytes(StandardCharsets.UTF_8);
            for (int attempt = 0; attempt < LOOKUP_ATTEMPTS; attempt++) {
                Response<String> pointer;
                Response<byte[]> value = null;
                try (Pipeline p = (Pipeline) client.pipelined()) {
                    pointer = p.get(keys.pointer());
                    if (guess > 0) {
                        value = p.hget(keys.dataBytes(guess, keyspace), field);
                    }
                    p.sync();
                }
                VersionPointer now = decode(pointer.get()).orElseThrow(NoCurrentVersionException::new);
                if (now.current() == guess) {
                    return new Lookup(guess, value.get());
                }
                guess = now.current();
                lastSeen = guess;
            }
            throw new OnlineStoreException("the version pointer kept moving during a read of " + keyspace);
        });
    }

    @Override
    public BatchLookup lookupAll(Keyspace keyspace, List<String> ids) {
        // As lookup, with one HMGET for every key: the pointer read and the values of the version it names (the hash
        // of one version, read by one command) in one pipeline; if the pointer moved, again from the new version.
        if (ids.isEmpty()) {
            VersionPointer now = pointer().orElseThrow(NoCurrentVersionException::new);
            return new BatchLookup(now.current(), new ArrayList<>());
        }
        return call("read " + keyspace, () -> {
            long guess = lastSeen;
            byte[][] fields = new byte[ids.size()][];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = ids.get(i).getBytes(StandardCharsets.UTF_8);
            }
            for (int attempt = 0; attempt < LOOKUP_ATTEMPTS; attempt++) {
                Response<String> pointer;
                Response<List<byte[]>> values = null;
                try (Pipeline p = (Pipeline) client.pipelined()) {
                    pointer = p.get(keys.pointer());
                    if (guess > 0) {
                        values = p.hmget(keys.dataBytes(guess, keyspace), fields);
                    }
                    p.sync();
                }
                VersionPointer now = decode(pointer.get()).orElseThrow(NoCurrentVersionException::new);
                if (now.current() == guess) {
                    return new BatchLookup(guess, new ArrayList<>(values.get()));
                }
                guess = now.current();
                lastSeen = guess;
            }
            throw new OnlineStoreException("the version pointer kept moving during a read of " + keyspace);
        });
    }

    @Override
    public Optional<byte[]> get(long version, Keyspace keyspace, String key) {
        return call("read " + keyspace, () -> Optional.ofNullable(
                client.hget(keys.dataBytes(version, keyspace), key.getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public PublishLease beginPublish() {
        return call("begin a publish", () -> {
            Optional<VersionPointer> base = decode(client.get(keys.pointer()));
            long version = client.incr(keys.sequence());
            // Registered before any data is written, so an unfinished publish is found and removed later.
            client.sadd(keys.versions(), Long.toString(version));
            LOG.info("publishing version {} to {}", version, describe());
            return new Lease(version, base);
        });
    }

    @Override
    public VersionWriter openWriter(long version) {
        return new RedisVersionWriter(client, keys, version, settings.batchSize());
    }

    @Override
    public long count(long version, Keyspace keyspace) {
        return call("count " + keyspace, () -> client.hlen(keys.data(version, keyspace)));
    }

    @Override
    public List<Long> versions() {
        return call("list versions", () -> client.smembers(keys.versions()).stream()
                .map(Long::parseLong).sorted().toList());
    }

    @Override
    public VersionPointer flip(PublishLease lease) {
        VersionPointer next = new VersionPointer(lease.version(),
                lease.basePointer().map(VersionPointer::current).orElse(0L));
        compareAndSet(lease.basePointer(), next, "flip to version " + lease.version());
        return next;
    }

    @Override
    public VersionPointer rollback() {
        VersionPointer now = pointer().orElseThrow(NoCurrentVersionException::new);
        if (now.previous() == 0) {
            throw new OnlineStoreException("no previous version to roll back to (current is " + now.current() + ")");
        }
        VersionPointer swapped = new VersionPointer(now.previous(), now.current());
        compareAndSet(Optional.of(now), swapped, "roll back to version " + now.previous());
        return swapped;
    }

    private void compareAndSet(Optional<VersionPointer> expected, VersionPointer next, String what) {
        Object ok = call(what, () -> client.eval(CAS, List.of(keys.pointer()),
                List.of(expected.map(VersionPointer::encode).orElse(""), next.encode())));
        if (!Long.valueOf(1L).equals(ok)) {
            throw new PointerMovedException("cannot " + what + ": the version pointer moved from "
                    + expected.map(VersionPointer::encode).orElse("none") + " (another publish or a rollback)");
        }
    }

    @Override
    public List<Long> removeOldVersions(long below) {
        return call("remove old versions", () -> {
            Optional<VersionPointer> p = decode(client.get(keys.pointer()));
            List<Long> removed = new ArrayList<>();
            for (long v : versions()) {
                boolean kept = p.isPresent() && (v == p.get().current() || v == p.get().previous());
                if (v < below && !kept) {
                    Set<String> spaces = client.smembers(keys.keyspaces(v));
                    List<String> doomed = new ArrayList<>();
                    for (String ks : spaces) {
                        doomed.add(keys.data(v, new Keyspace(ks)));
                    }
                    doomed.add(keys.keyspaces(v));
                    // UNLINK frees the memory in the background: the server does not stall on a large hash.
                    client.unlink(doomed.toArray(String[]::new));
                    client.srem(keys.versions(), Long.toString(v));
                    removed.add(v);
                    LOG.info("removed version {} from {}", v, describe());
                }
            }
            return removed;
        });
    }

    @Override
    public void putOverlay(Keyspace keyspace, String key, byte[] value, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("overlay TTL must be positive, got " + ttl);
        }
        call("write an overlay value", () -> client.set(keys.overlay(keyspace, key), value,
                SetParams.setParams().px(ttl.toMillis())));
    }

    @Override
    public Optional<byte[]> getOverlay(Keyspace keyspace, String key) {
        return call("read an overlay value", () -> Optional.ofNullable(client.get(keys.overlay(keyspace, key))));
    }

    @Override
    public List<byte[]> getOverlays(Keyspace keyspace, List<String> ids) {
        if (ids.isEmpty()) {
            return new ArrayList<>();
        }
        byte[][] names = new byte[ids.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = keys.overlay(keyspace, ids.get(i));
        }
        return call("read overlay values", () -> new ArrayList<>(client.mget(names)));
    }

    @Override
    public void ping() {
        call("ping", client::ping);
    }

    @Override
    public void close() {
        client.close();
    }

    private static Optional<VersionPointer> decode(String raw) {
        return raw == null || raw.isEmpty() ? Optional.empty() : Optional.of(VersionPointer.decode(raw));
    }

    /** Runs a Redis call, turning client errors into store errors that name the store but no secret. */
    private <T> T call(String what, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (JedisException e) {
            throw new OnlineStoreException("cannot " + what + " on " + describe() + ": " + e.getMessage(), e);
        }
    }

    private record Lease(long version, Optional<VersionPointer> basePointer) implements PublishLease {
        @Override
        public void close() {
            // Redis publishes need no lock: each has its own version, and the flip is a compare-and-set.
        }
    }
}
