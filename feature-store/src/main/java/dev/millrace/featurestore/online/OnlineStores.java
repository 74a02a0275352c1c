package dev.millrace.featurestore.online;

import dev.millrace.featurestore.online.embedded.LmdbOnlineStore;
import dev.millrace.featurestore.online.redis.RedisOnlineStore;

/** Opens the implementation that {@code millrace.serving.store} selects. */
public final class OnlineStores {

    private OnlineStores() {
    }

    public static OnlineStore open(StoreSettings settings) {
        return switch (settings.kind()) {
            case EMBEDDED -> new LmdbOnlineStore(settings);
            case REDIS -> new RedisOnlineStore(settings);
        };
    }
}
