package dev.millrace.featurestore.serving;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics: requests by route and status, latency by route, batch requests and their ids by
 * route, fallbacks, and the store version being served. One registry per server (not the global one), so several
 * servers in one JVM (tests) stay apart.
 */
public final class ServingMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("millrace_serving_requests_total")
            .help("HTTP requests by route and status code").labelNames("route", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("millrace_serving_request_seconds")
            .help("Request latency from the first byte read to the response handed to the socket, by route")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5)
            .labelNames("route").register(registry);
    private final Counter fallbacks = Counter.builder().name("millrace_serving_fallback_total")
            .help("Recommendation answers served from the popularity fallback").register(registry);
    private final Gauge storeVersion = Gauge.builder().name("millrace_serving_store_version")
            .help("The online store version last served (0 before the first)").register(registry);
    private final Counter batches = Counter.builder().name("millrace_serving_batch_requests_total")
            .help("Batch requests answered (200), by route").labelNames("route").register(registry);
    private final Counter batchIds = Counter.builder().name("millrace_serving_batch_ids_total")
            .help("Ids answered in batch requests, by route").labelNames("route").register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public void request(String route, int status, long nanos) {
        requests.labelValues(route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(nanos / 1e9);
    }

    /** One answered batch request of {@code ids} ids (its HTTP status is counted by {@link #request}). */
    public void batch(String route, int ids) {
        batches.labelValues(route).inc();
        batchIds.labelValues(route).inc(ids);
    }

    public void fallback() {
        fallbacks.inc();
    }

    public void version(long version) {
        storeVersion.set(version);
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
