package dev.millrace.featurestore.online;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract against a real redis-server, plus its own rules (concurrent publishes, overlay TTL, errors). */
class RedisOnlineStoreTest extends OnlineStoreContract {

    @Override
    StoreSettings freshSettings(String name) {
        return SharedRedis.freshSettings(name);
    }

    @Override
    List<String> crashArgs(StoreSettings settings) {
        return List.of("redis", Integer.toString(settings.redisPort()), settings.redisKeyPrefix());
    }

    @Test
    void concurrentPublishesGetTheirOwnVersionsAndOnlyOneFlipsFromABase() {
        try (OnlineStore store = OnlineStores.open(freshSettings("concurrent"))) {
            publish(store, 3);
            try (PublishLease a = store.beginPublish(); PublishLease b = store.beginPublish()) {
                assertThat(a.version()).isNotEqualTo(b.version());
                store.flip(b);
                assertThatThrownBy(() -> store.flip(a)).isInstanceOf(PointerMovedException.class);
                assertThat(store.pointer().orElseThrow().current()).isEqualTo(b.version());
            }
        }
    }

    @Test
    void overlayValuesCarryTheirTtlInRedis() {
        StoreSettings settings = freshSettings("ttl");
        try (OnlineStore store = OnlineStores.open(settings);
             RedisClient raw = RedisClient.create("127.0.0.1", settings.redisPort())) {
            store.putOverlay(Keyspace.features("user"), "5", utf8("{}"), Duration.ofSeconds(90));
            long pttl = raw.pttl(settings.redisKeyPrefix() + "ov:feat.user:5");
            assertThat(pttl).isBetween(1L, 90_000L);
        }
    }

    @Test
    void anUnreachableServerIsAStoreErrorWithoutThePassword() {
        StoreSettings settings = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", 1)
                .redisCredentials("", "s3cret-pw").redisTimeout(Duration.ofMillis(500)).build();
        try (OnlineStore store = OnlineStores.open(settings)) {
            assertThatThrownBy(store::ping).isInstanceOf(OnlineStoreException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pw").contains("password set"));
        }
        assertThat(settings.toString()).doesNotContain("s3cret-pw");
    }
}
