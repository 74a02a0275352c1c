package dev.millrace.featurestore.online;

import dev.millrace.featurestore.online.embedded.LmdbOnlineStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on the embedded LMDB store, plus its own rules (one publish at a time, overlay expiry). */
class LmdbOnlineStoreTest extends OnlineStoreContract {

    @TempDir
    Path temp;

    @Override
    StoreSettings freshSettings(String name) {
        return StoreSettings.builder(StoreSettings.Kind.EMBEDDED).embeddedPath(temp.resolve(name).toString())
                .mapSize(64L << 20).batchSize(100).build();
    }

    @Override
    List<String> crashArgs(StoreSettings settings) {
        return List.of("embedded", settings.embeddedPath());
    }

    @Test
    void aSecondConcurrentPublishIsRefused() {
        try (OnlineStore store = OnlineStores.open(freshSettings("lock"))) {
            try (PublishLease first = store.beginPublish()) {
                assertThatThrownBy(store::beginPublish).isInstanceOf(OnlineStoreException.class)
                        .hasMessageContaining("another publish");
                assertThat(first.version()).isEqualTo(1);
            }
            // Released: the next publish may start.
            publish(store, 3);
        }
    }

    @Test
    void aFlipAfterTheBaseMovedIsRefused() {
        try (OnlineStore store = OnlineStores.open(freshSettings("moved"))) {
            publish(store, 3);
            publish(store, 3);
            try (PublishLease lease = store.beginPublish()) {
                store.rollback();
                assertThatThrownBy(() -> store.flip(lease)).isInstanceOf(PointerMovedException.class);
            }
        }
    }

    @Test
    void overlayValuesExpireAfterTheirTtl() {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        try (LmdbOnlineStore store = new LmdbOnlineStore(freshSettings("ttl"), clock)) {
            Keyspace items = Keyspace.features("item");
            store.putOverlay(items, "9", utf8("{\"views\":1}"), Duration.ofSeconds(60));
            clock.now = clock.now.plusSeconds(59);
            assertThat(store.getOverlay(items, "9")).isPresent();
            clock.now = clock.now.plusSeconds(1);
            assertThat(store.getOverlay(items, "9")).isEmpty();
            assertThat(store.purgeExpiredOverlay(items)).isEqualTo(1);
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
