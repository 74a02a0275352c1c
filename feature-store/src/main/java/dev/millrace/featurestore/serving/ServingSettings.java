package dev.millrace.featurestore.serving;

import dev.millrace.core.config.MillraceConfig;

import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP server's settings from {@code millrace.serving.http} and the admin token. {@link #toString()} never shows
 * the token. Ids have no setting of their own: they follow core's {@code EntityKey} rule, like every other layer.
 *
 * @param adminToken the bearer token of the admin API; empty disables every endpoint that writes
 * @param timeouts   how long a client may keep a connection idle or a request unfinished
 * @param metrics    where {@code /metrics} answers (its own listener, or behind its own token)
 * @param batch      bounds of the batch routes ({@code millrace.serving.batch})
 */
public record ServingSettings(String host, int port, int ioThreads, int workerThreads, int defaultK, int maxK,
                              int maxUriLength, long maxBodyBytes, Optional<String> adminToken,
                              Duration featureTtl, HttpTimeouts timeouts, MetricsExposure metrics, BatchLimits batch) {

    public ServingSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("millrace.serving.http.port must be 0-65535, got " + port);
        }
        if (maxK < 1 || defaultK < 1 || defaultK > maxK) {
            throw new IllegalArgumentException("need 1 <= default-k <= max-k, got default-k " + defaultK + ", max-k " + maxK);
        }
        if (ioThreads < 1 || workerThreads < 1 || maxUriLength < 64 || maxBodyBytes < 0 || batch == null) {
            throw new IllegalArgumentException("invalid millrace.serving.http settings");
        }
        adminToken = adminToken.filter(t -> !t.isBlank());
        if (adminToken.isPresent() && adminToken.get().length() < 16) {
            throw new IllegalArgumentException("millrace.serving.admin-token must be at least 16 characters");
        }
    }

    public static ServingSettings from(MillraceConfig config) {
        String h = "millrace.serving.http.";
        int io = config.getInt(h + "io-threads");
        return new ServingSettings(config.getString(h + "host"), config.getInt(h + "port"),
                io <= 0 ? Math.max(2, Runtime.getRuntime().availableProcessors()) : io,
                config.getInt(h + "worker-threads"), config.getInt(h + "default-k"), config.getInt(h + "max-k"),
                config.getInt(h + "max-uri-length"),
                config.getBytes(h + "max-body-size"),
                Optional.of(config.getString("millrace.serving.admin-token")),
                config.getDuration("millrace.serving.features.ttl"),
                new HttpTimeouts(config.getDuration(h + "idle-timeout"), config.getDuration(h + "read-timeout"),
                        config.getDuration(h + "request-timeout")),
                metrics(config),
                new BatchLimits(config.getInt("millrace.serving.batch.max-ids"),
                        config.getBytes("millrace.serving.batch.max-body-size")));
    }

    private static MetricsExposure metrics(MillraceConfig config) {
        String m = "millrace.serving.metrics.";
        return new MetricsExposure(MetricsExposure.mode(config.getString(m + "expose")), config.getString(m + "host"),
                config.getInt(m + "port"), Optional.of(config.getString(m + "token")));
    }

    public ServingSettings withPort(int newPort) {
        return new ServingSettings(host, newPort, ioThreads, workerThreads, defaultK, maxK, maxUriLength,
                maxBodyBytes, adminToken, featureTtl, timeouts, metrics, batch);
    }

    /** The same settings with the metrics listener on another port (0 = a free one); no effect behind a token. */
    public ServingSettings withMetricsPort(int newPort) {
        return new ServingSettings(host, port, ioThreads, workerThreads, defaultK, maxK, maxUriLength,
                maxBodyBytes, adminToken, featureTtl, timeouts, metrics.withPort(newPort), batch);
    }

    @Override
    public String toString() {
        return "ServingSettings[" + host + ":" + port + ", io " + ioThreads + ", workers " + workerThreads + ", k "
                + defaultK + "/" + maxK + ", admin " + (adminToken.isPresent() ? "enabled" : "disabled") + ", " + metrics + ", " + batch + "]";
    }
}
