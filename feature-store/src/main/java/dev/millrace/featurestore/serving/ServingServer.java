package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.OnlineStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import org.xnio.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * The serving HTTP API on Undertow (the fastest server measured here, ../shared/STACK.md): recommendations, online
 * features (one id per GET, or many per batch POST), health, readiness and Prometheus metrics. Reads the store it is given; closing the server does not close
 * the store.
 */
public final class ServingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);

    private final Undertow undertow;
    private final ServingMetrics metrics = new ServingMetrics();
    private final int port;
    private final int metricsPort;

    private ServingServer(OnlineStore store, ServingSettings settings) {
        ServingHandler handler = new ServingHandler(store, settings, metrics);
        HttpTimeouts t = settings.timeouts();
        boolean ownMetricsPort = settings.metrics().mode() == MetricsExposure.Mode.PORT;
        Undertow.Builder builder = Undertow.builder()
                .addHttpListener(settings.port(), settings.host(), handler);
        if (ownMetricsPort) {
            builder.addHttpListener(settings.metrics().port(), settings.metrics().host(), new MetricsHandler(metrics));
        }
        this.undertow = builder
                .setIoThreads(settings.ioThreads())
                .setWorkerThreads(settings.workerThreads())
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true)
                // The handler splits the raw path on '/' and then percent-decodes each id, so an id may hold "%2F";
                // Undertow's own decoding would either split there or leave the segment half decoded.
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // Raw bytes beyond ASCII reach the handler, which refuses them with a JSON 400 (percent-encode them).
                // A malformed escape ("%zz") is refused by Undertow's parser itself, with an empty 400 (docs/serving.md).
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                // Undertow's own limits sit above ours, so our JSON 413/414 answer everything but absurd requests. A
                // chunked batch body is counted by the handler as it reads; Undertow reads a buffer ahead of it, and
                // past its own limit would cut the connection without an answer, hence the margin.
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, Math.max(16 * 1024, settings.maxUriLength() * 4))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Math.max(1024L,
                        Math.max(settings.maxBodyBytes(), settings.batch().maxBodyBytes() + 64 * 1024)))
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 16)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, false)
                // A silent connection, a request head that trickles in (slow loris) or a stalled read is closed.
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, HttpTimeouts.millis(t.idle()))
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, HttpTimeouts.millis(t.idle()))
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, HttpTimeouts.millis(t.request()))
                .setSocketOption(Options.READ_TIMEOUT, HttpTimeouts.millis(t.read()))
                .build();
        undertow.start();
        // Listeners come back in the order they were added: the API first.
        this.port = port(0);
        this.metricsPort = ownMetricsPort ? port(1) : -1;
        LOG.info("serving {} on http://{}:{} ({})", store.describe(), settings.host(), port,
                ownMetricsPort ? "metrics on http://" + settings.metrics().host() + ":" + metricsPort + "/metrics"
                        : "metrics on /metrics behind the metrics token");
    }

    private int port(int listener) {
        return ((InetSocketAddress) undertow.getListenerInfo().get(listener).getAddress()).getPort();
    }

    /** Starts a server (port 0 picks a free port; {@link #port()} tells which). */
    public static ServingServer start(OnlineStore store, ServingSettings settings) {
        return new ServingServer(store, settings);
    }

    public int port() {
        return port;
    }

    /** The port of the metrics listener, or -1 when {@code /metrics} is on the API's port behind a token. */
    public int metricsPort() {
        return metricsPort;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
