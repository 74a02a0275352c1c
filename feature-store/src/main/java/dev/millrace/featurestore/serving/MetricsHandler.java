package dev.millrace.featurestore.serving;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.nio.charset.StandardCharsets;

/** The metrics listener of its own ({@code millrace.serving.metrics.expose = port}): {@code GET /metrics}, nothing else. */
final class MetricsHandler implements HttpHandler {

    private final ServingMetrics metrics;

    MetricsHandler(ServingMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (!exchange.getRequestPath().equals("/metrics")) {
            send(exchange, 404, "application/json", Json.error("not_found", "this listener serves only GET /metrics"));
        } else if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            send(exchange, 405, "application/json", Json.error("method_not_allowed",
                    exchange.getRequestMethod() + " is not allowed here (allowed: GET, HEAD)"));
        } else {
            send(exchange, 200, metrics.contentType(), metrics.scrape());
        }
    }

    private static void send(HttpServerExchange exchange, int status, String contentType, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
    }
}
