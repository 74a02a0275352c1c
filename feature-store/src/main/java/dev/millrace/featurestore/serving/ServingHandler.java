package dev.millrace.featurestore.serving;

import dev.millrace.core.keys.EntityKey;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.VersionPointer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Routes and validates every request, then asks the services. Ids arrive as raw path segments: the path is split on
 * {@code /} before each segment is percent-decoded, so {@code %2F} is part of an id. Every refusal is a JSON error
 * with a 4xx status; store trouble is a 503. Reads of a store that waits on the network (Redis) run on worker threads,
 * embedded reads on the I/O threads (they take microseconds). The only endpoint that writes, rollback, needs the admin bearer token and
 * does not exist when none is configured.
 */
final class ServingHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ServingHandler.class);
    private static final String JSON = "application/json";
    private static final Pattern K = Pattern.compile("[0-9]{1,6}");
    private static final String RECS_PREFIX = "/v1/recommendations/";
    private static final String FEATURES_PREFIX = "/v1/features/";
    private static final String ROLLBACK = "/v1/admin/rollback";

    private final OnlineStore store;
    private final RecommendationService recommendations;
    private final FeatureService features;
    private final ServingMetrics metrics;
    private final ServingSettings settings;
    private final BearerToken adminToken;
    private final BearerToken metricsToken;

    ServingHandler(OnlineStore store, ServingSettings settings, ServingMetrics metrics) {
        this.store = store;
        this.settings = settings;
        this.metrics = metrics;
        this.recommendations = new RecommendationService(store);
        this.features = new FeatureService(store, settings.featureTtl());
        this.adminToken = settings.adminToken().map(BearerToken::new).orElse(null);
        this.metricsToken = settings.metrics().mode() == MetricsExposure.Mode.TOKEN
                ? new BearerToken(settings.metrics().token().orElseThrow()) : null;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread() && store.blockingReads()) {
            exchange.dispatch(this);
            return;
        }
        String route = "unknown";
        int status;
        try {
            checkSize(exchange);
            String path = exchange.getRequestPath();
            route = route(path);
            status = switch (route) {
                case "recommendations" -> recommendations(exchange, path);
                case "features" -> features(exchange, path);
                case "health" -> get(exchange) ? send(exchange, 200, JSON, "{\"status\":\"ok\"}") : 0;
                case "ready" -> get(exchange) ? ready(exchange) : 0;
                case "metrics" -> metrics(exchange);
                case "rollback" -> rollback(exchange);
                default -> throw HttpError.notFound("no such endpoint: " + path);
            };
        } catch (HttpError e) {
            status = error(exchange, e.status(), e.code(), e.getMessage());
        } catch (NoCurrentVersionException e) {
            status = error(exchange, 503, "not_ready", "no store version has been published yet");
        } catch (OnlineStoreException e) {
            LOG.warn("store error on {}: {}", exchange.getRequestPath(), e.getMessage());
            status = error(exchange, 503, "store_unavailable", "the online store cannot answer now");
        } catch (RuntimeException e) {
            LOG.error("unexpected error on {}", exchange.getRequestPath(), e);
            status = error(exchange, 500, "internal", "internal error");
        }
        metrics.request(route, status, System.nanoTime() - exchange.getRequestStartTime());
    }

    private static String route(String path) {
        if (path.startsWith(RECS_PREFIX)) {
            return "recommendations";
        }
        if (path.startsWith(FEATURES_PREFIX)) {
            return "features";
        }
        return switch (path) {
            case "/health" -> "health";
            case "/ready" -> "ready";
            case "/metrics" -> "metrics";
            case ROLLBACK -> "rollback";
            default -> "unknown";
        };
    }

    /** Oversized input: a request line beyond the limit (414) or any body beyond the limit (413). */
    private void checkSize(HttpServerExchange exchange) {
        int uri = exchange.getRequestURI().length() + exchange.getQueryString().length() + 1;
        if (uri > settings.maxUriLength()) {
            throw new HttpError(414, "uri_too_long", "the request target is longer than " + settings.maxUriLength() + " characters");
        }
        long length = exchange.getRequestContentLength();
        boolean chunked = exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        if (length > settings.maxBodyBytes() || (chunked && settings.maxBodyBytes() == 0)) {
            throw new HttpError(413, "payload_too_large", "request bodies are limited to " + settings.maxBodyBytes() + " bytes");
        }
    }

    private int recommendations(HttpServerExchange exchange, String path) {
        if (!get(exchange)) {
            return 0;
        }
        String raw = path.substring(RECS_PREFIX.length());
        if (raw.indexOf('/') >= 0) {
            throw HttpError.notFound("expected /v1/recommendations/{user} (a '/' inside an id is written %2F)");
        }
        String userId = key("user id", raw);
        int k = k(exchange.getQueryParameters());
        RecommendationAnswer answer = recommendations.recommend(userId, k);
        metrics.version(answer.version());
        if (answer.fallback()) {
            metrics.fallback();
        }
        return send(exchange, 200, JSON, answer.toJson());
    }

    /** One raw path segment as an entity key: percent-decoded (UTF-8), then held to the key rule of every layer. */
    private static String key(String what, String raw) {
        String id = PercentDecoding.decode(what, raw);
        Optional<String> problem = EntityKey.problem(id);
        if (problem.isPresent()) {
            throw HttpError.badRequest(what + " '" + EntityKey.abbreviate(id) + "' " + problem.get() + " (an id is "
                    + EntityKey.RULE + ", percent-encoded as UTF-8)");
        }
        return id;
    }

    private int k(Map<String, Deque<String>> query) {
        // The server leaves the query undecoded (see ServingServer): names and values are decoded here.
        Deque<String> values = null;
        for (Map.Entry<String, Deque<String>> e : query.entrySet()) {
            String name = PercentDecoding.decode("query parameter", e.getKey());
            if (!name.equals("k")) {
                throw HttpError.badRequest("unknown query parameter '" + clip(name) + "' (only k is accepted)");
            }
            if (values != null) {
                throw HttpError.badRequest("k given more than once");
            }
            values = e.getValue();
        }
        if (values == null) {
            return settings.defaultK();
        }
        if (values.size() != 1) {
            throw HttpError.badRequest("k given more than once");
        }
        String raw = PercentDecoding.decode("k", values.getFirst());
        if (!K.matcher(raw).matches()) {
            throw HttpError.badRequest("k must be an integer from 1 to " + settings.maxK() + ", got '" + clip(raw) + "'");
        }
        int k = Integer.parseInt(raw);
        if (k < 1 || k > settings.maxK()) {
            throw HttpError.badRequest("k must be from 1 to " + settings.maxK() + ", got " + k);
        }
        return k;
    }

    private int features(HttpServerExchange exchange, String path) {
        if (!get(exchange)) {
            return 0;
        }
        if (!exchange.getQueryParameters().isEmpty()) {
            throw HttpError.badRequest("the features endpoint takes no query parameters");
        }
        String rest = path.substring(FEATURES_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
            throw HttpError.notFound("expected /v1/features/{entity}/{id} (a '/' inside an id is written %2F)");
        }
        String entity = PercentDecoding.decode("entity", rest.substring(0, slash));
        if (!Keyspace.isValidEntity(entity)) {
            throw HttpError.badRequest("entity must be lower-case letters, digits and underscores, got '" + clip(entity) + "'");
        }
        String id = key("id", rest.substring(slash + 1));
        Optional<FeatureAnswer> answer = features.features(entity, id);
        if (answer.isEmpty()) {
            throw HttpError.notFound("no online features for " + entity + " '" + id + "'");
        }
        metrics.version(answer.get().version());
        return send(exchange, 200, JSON, answer.get().toJson());
    }

    private int ready(HttpServerExchange exchange) {
        Optional<VersionPointer> pointer = store.pointer();
        if (pointer.isEmpty()) {
            return error(exchange, 503, "not_ready", "no store version has been published yet");
        }
        metrics.version(pointer.get().current());
        return send(exchange, 200, JSON, "{\"ready\":true,\"version\":" + pointer.get().current()
                + ",\"previous\":" + pointer.get().previous() + "}");
    }

    /** Prometheus text, behind the metrics token; with a metrics listener of its own, not on this port at all. */
    private int metrics(HttpServerExchange exchange) {
        if (metricsToken == null) {
            throw HttpError.notFound("no such endpoint: /metrics (metrics have a listener of their own: millrace.serving.metrics)");
        }
        if (!get(exchange)) {
            return 0;
        }
        if (!metricsToken.admits(exchange)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            throw new HttpError(401, "unauthorized", "a valid metrics bearer token is required");
        }
        return send(exchange, 200, metrics.contentType(), metrics.scrape());
    }

    private int rollback(HttpServerExchange exchange) {
        if (adminToken == null) {
            throw HttpError.notFound("no such endpoint: " + ROLLBACK + " (the admin API is disabled: no admin token configured)");
        }
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            return methodNotAllowed(exchange, "POST");
        }
        if (!adminToken.admits(exchange)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            throw new HttpError(401, "unauthorized", "a valid admin bearer token is required");
        }
        VersionPointer before = store.pointer().orElseThrow(NoCurrentVersionException::new);
        if (before.previous() == 0) {
            throw new HttpError(409, "conflict", "no previous version to roll back to");
        }
        VersionPointer after = store.rollback();
        LOG.info("rolled back from version {} to {} through the admin API", before.current(), after.current());
        metrics.version(after.current());
        return send(exchange, 200, JSON, "{\"version\":" + after.current() + ",\"previous\":" + after.previous() + "}");
    }

    /** True for GET (and HEAD); otherwise answers 405 and returns false. */
    private boolean get(HttpServerExchange exchange) {
        HttpString m = exchange.getRequestMethod();
        if (m.equals(Methods.GET) || m.equals(Methods.HEAD)) {
            return true;
        }
        methodNotAllowed(exchange, "GET, HEAD");
        return false;
    }

    private int methodNotAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        return error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed here (allowed: " + allowed + ")");
    }

    private static int error(HttpServerExchange exchange, int status, String code, String message) {
        return send(exchange, status, JSON, Json.error(code, message));
    }

    private static int send(HttpServerExchange exchange, int status, String contentType, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
        return status;
    }

    /** Echoes at most 64 characters of a bad input back. */
    private static String clip(String s) {
        return PercentDecoding.clip(s);
    }
}
