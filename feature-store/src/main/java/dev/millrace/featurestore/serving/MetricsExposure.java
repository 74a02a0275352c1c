package dev.millrace.featurestore.serving;

import java.util.Locale;
import java.util.Optional;

/**
 * Where {@code GET /metrics} answers ({@code millrace.serving.metrics}). Metrics tell an outsider the traffic and
 * error rates, so they are never open on the API's port: either a listener of their own (by default on 127.0.0.1, for a
 * node-local agent or sidecar to scrape) or the API's port with a bearer token of their own (a scraper must not hold
 * the admin token, which can roll the store back). {@link #toString()} never shows the token.
 */
public record MetricsExposure(Mode mode, String host, int port, Optional<String> token) {

    /** {@code port}: a listener of its own; {@code token}: the API's listener, behind the metrics token. */
    public enum Mode { PORT, TOKEN }

    public MetricsExposure {
        token = token.filter(t -> !t.isBlank());
        if (mode == Mode.PORT && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("millrace.serving.metrics.port must be 0-65535, got " + port);
        }
        if (mode == Mode.TOKEN && token.map(String::length).orElse(0) < 16) {
            throw new IllegalArgumentException("millrace.serving.metrics.expose = token needs millrace.serving.metrics.token"
                    + " (at least 16 characters; set it through MILLRACE_SERVING_METRICS_TOKEN)");
        }
    }

    /** Parses {@code port} or {@code token} (the conf value), with a clear error for anything else. */
    public static Mode mode(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "port" -> Mode.PORT;
            case "token" -> Mode.TOKEN;
            default -> throw new IllegalArgumentException(
                    "millrace.serving.metrics.expose must be port or token, got '" + value + "'");
        };
    }

    /** On a listener of its own at {@code host:port} (0 = a free port). */
    public static MetricsExposure onPort(String host, int port) {
        return new MetricsExposure(Mode.PORT, host, port, Optional.empty());
    }

    public MetricsExposure withPort(int newPort) {
        return new MetricsExposure(mode, host, newPort, token);
    }

    @Override
    public String toString() {
        return mode == Mode.PORT ? "metrics on " + host + ":" + port : "metrics behind a token";
    }
}
