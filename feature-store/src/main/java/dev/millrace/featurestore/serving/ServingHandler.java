package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.NoCurrentVersionException;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.VersionPointer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Routes and validates every request, then asks the services. Ids arrive as raw path segments: the path is split on
 * {@code /} before each segment is percent-decoded, so {@code %2F} is part of an id. Every refusal is a JSON error
 * with a 4xx status; store trouble is a 503. Reads of a store that waits on the network (Redis) run on worker threads,
 * embedded reads on the I/O threads (they take microseconds); the batch routes, which read a body, always run on
 * worker threads. The only endpoint that writes, rollback, needs the admin bearer token and does not exist when none
 * is configured.
 */
final class ServingHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ServingHandler.class);
    private static final String JSON = "application/json";
    private static final Pattern K = Pattern.compile("[0-9]{1,6}");
    private static final String RECS_PREFIX = "/v1/recommendations/";
    private static final String FEATURES_PREFIX = "/v1/features/";
    private static final String BATCH_SUFFIX = ":batch";
    private static final String RECS_BATCH = "/v1/recommendations" + BATCH_SUFFIX;
    static final String RECS_BATCH_ROUTE = "recommendations_batch";
    static final String FEATURES_BATCH_ROUTE = "features_batch";
    private static final String ROLLBACK = "/v1/admin/rollback";
    private static final String NOT_READY = "no store version has been published yet";
    /** The status counted for a request whose client left before its body ended (nginx's "client closed request"). */
    private static final int CLIENT_GONE = 499;

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
        String path = exchange.getRequestPath();
        String route = route(path);
        if (exchange.isInIoThread() && (store.blockingReads() || batch(route))) {
            // A batch reads its body with a blocking read, which the I/O threads must not do.
            exchange.dispatch(this);
            return;
        }
        int status;
        try {
            checkSize(exchange, route);
            status = switch (route) {
                case "recommendations" -> recommendations(exchange, path);
                case "features" -> features(exchange, path);
                case RECS_BATCH_ROUTE -> recommendationsBatch(exchange);
                case FEATURES_BATCH_ROUTE -> featuresBatch(exchange, path);
                case "health" -> get(exchange) ? send(exchange, 200, JSON, "{\"status\":\"ok\"}") : 405;
                case "ready" -> get(exchange) ? ready(exchange) : 405;
                case "metrics" -> metrics(exchange);
                case "rollback" -> rollback(exchange);
                default -> throw HttpError.notFound("no such endpoint: " + path);
            };
        } catch (ClientGone e) {
            LOG.debug("{} {}: the client closed the connection before its body ended", exchange.getRequestMethod(), path);
            status = CLIENT_GONE;
        } catch (HttpError e) {
            status = error(exchange, e.status(), e.code(), e.getMessage());
        } catch (NoCurrentVersionException e) {
            status = error(exchange, 503, "not_ready", NOT_READY);
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
        if (path.equals(RECS_BATCH)) {
            return RECS_BATCH_ROUTE;
        }
        // An entity name cannot hold ':' (nor an unencoded '/'), so /v1/features/{entity}:batch is no GET path.
        if (path.startsWith(FEATURES_PREFIX) && path.endsWith(BATCH_SUFFIX) && path.indexOf('/', FEATURES_PREFIX.length()) < 0) {
            return FEATURES_BATCH_ROUTE;
        }
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

    private static boolean batch(String route) {
        return route.equals(RECS_BATCH_ROUTE) || route.equals(FEATURES_BATCH_ROUTE);
    }

    /**
     * Oversized input: a request line beyond the limit (414) or a declared body beyond the route's limit (413): the
     * batch routes' own bound, {@code http.max-body-size} elsewhere. A chunked batch body is counted as it is read.
     */
    private void checkSize(HttpServerExchange exchange, String route) {
        int uri = exchange.getRequestURI().length() + exchange.getQueryString().length() + 1;
        if (uri > settings.maxUriLength()) {
            throw new HttpError(414, "uri_too_long", "the request target is longer than " + settings.maxUriLength() + " characters");
        }
        long max = batch(route) ? settings.batch().maxBodyBytes() : settings.maxBodyBytes();
        long length = exchange.getRequestContentLength();
        boolean chunked = exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        if (length > max || (chunked && max == 0)) {
            throw batch(route) ? batchTooLarge() : new HttpError(413, "payload_too_large",
                    "request bodies are limited to " + max + " bytes");
        }
    }

    private HttpError batchTooLarge() {
        return new HttpError(413, "payload_too_large", "batch request bodies are limited to "
                + settings.batch().maxBodyBytes() + " bytes (millrace.serving.batch.max-body-size); split the request");
    }

    private int recommendations(HttpServerExchange exchange, String path) {
        if (!get(exchange)) {
            return 405;
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
        return RequestRules.key(what, PercentDecoding.decode(what, raw), ", percent-encoded as UTF-8");
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
            throw RequestRules.notAnIntegerK(raw, settings.maxK());
        }
        return RequestRules.k(Integer.parseInt(raw), settings.maxK());
    }

    private int features(HttpServerExchange exchange, String path) {
        if (!get(exchange)) {
            return 405;
        }
        if (!exchange.getQueryParameters().isEmpty()) {
            throw HttpError.badRequest("the features endpoint takes no query parameters");
        }
        String rest = path.substring(FEATURES_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
            throw HttpError.notFound("expected /v1/features/{entity}/{id} (a '/' inside an id is written %2F)");
        }
        String entity = RequestRules.entity(PercentDecoding.decode("entity", rest.substring(0, slash)));
        String id = key("id", rest.substring(slash + 1));
        Optional<FeatureAnswer> answer = features.features(entity, id);
        if (answer.isEmpty()) {
            throw HttpError.notFound(noFeatures(entity, id));
        }
        metrics.version(answer.get().version());
        return send(exchange, 200, JSON, answer.get().toJson());
    }

    private static String noFeatures(String entity, String id) {
        return "no online features for " + entity + " '" + id + "'";
    }

    /**
     * {@code POST /v1/recommendations:batch} {@code {"ids": [...], "k": 10}}: per id, in order, exactly the GET answer
     * (a fallback where the version does not know the user), every one from the same store version.
     */
    private int recommendationsBatch(HttpServerExchange exchange) {
        BatchRequest request = BatchRequest.recommendations(batchBody(exchange), settings);
        List<RecommendationAnswer> answers = recommendations.recommendAll(request.ids(), request.k());
        long version = answers.get(0).version();
        StringBuilder sb = new StringBuilder(64 + answers.size() * (128 + request.k() * 48));
        sb.append("{\"version\":").append(version).append(",\"results\":[");
        for (int i = 0; i < answers.size(); i++) {
            RecommendationAnswer a = answers.get(i);
            if (a.fallback()) {
                metrics.fallback();
            }
            sb.append(i > 0 ? "," : "").append(a.toJson());
        }
        metrics.version(version);
        metrics.batch(RECS_BATCH_ROUTE, answers.size());
        return send(exchange, 200, JSON, sb.append("]}").toString());
    }

    /**
     * {@code POST /v1/features/{entity}:batch} {@code {"ids": [...]}}: per id, in order, the GET answer, or for an id
     * the GET would answer 404 (or 503 before the first publish) that error's body with the id added; the published
     * values all from the same store version.
     */
    private int featuresBatch(HttpServerExchange exchange, String path) {
        byte[] body = batchBody(exchange);
        String raw = path.substring(FEATURES_PREFIX.length(), path.length() - BATCH_SUFFIX.length());
        String entity = RequestRules.entity(PercentDecoding.decode("entity", raw));
        BatchRequest request = BatchRequest.features(body, settings);
        FeatureService.FeatureBatch batch = features.featuresAll(entity, request.ids());
        StringBuilder sb = new StringBuilder(96 + request.ids().size() * 256).append("{\"entity\":");
        Json.string(sb, entity).append(",\"version\":").append(batch.version()).append(",\"results\":[");
        for (int i = 0; i < request.ids().size(); i++) {
            sb.append(i > 0 ? "," : "");
            Optional<FeatureAnswer> a = batch.answers().get(i);
            if (a.isPresent()) {
                sb.append(a.get().toJson());
            } else {
                String id = request.ids().get(i);
                sb.append("{\"id\":");
                Json.string(sb, id).append(',');
                String error = batch.published() ? Json.error("not_found", noFeatures(entity, id))
                        : Json.error("not_ready", NOT_READY);
                sb.append(error, 1, error.length());
            }
        }
        metrics.version(batch.version());
        metrics.batch(FEATURES_BATCH_ROUTE, request.ids().size());
        return send(exchange, 200, JSON, sb.append("]}").toString());
    }

    /**
     * The body of a batch request (POST only, no query string), read up to the batch bound: beyond it a 413, whether
     * the length was declared or the body came in chunks. Runs on a worker thread (a blocking read).
     */
    private byte[] batchBody(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            throw new HttpError(405, "method_not_allowed", exchange.getRequestMethod()
                    + " is not allowed here (allowed: POST, with a JSON body)");
        }
        if (!exchange.getQueryParameters().isEmpty()) {
            throw HttpError.badRequest("the batch endpoints take no query parameters (options such as k go in the JSON body)");
        }
        long max = settings.batch().maxBodyBytes();
        byte[] body;
        try {
            exchange.startBlocking();
            body = exchange.getInputStream().readNBytes((int) max + 1);
        } catch (RequestTooBigException e) {
            throw batchTooLarge();
        } catch (IOException e) {
            if (exchange.isResponseStarted() || !exchange.getConnection().isOpen()) {
                // The client closed its side before its body ended (Undertow has closed the connection): no one to answer.
                throw new ClientGone();
            }
            throw HttpError.badRequest("the request body could not be read: " + clip(String.valueOf(e.getMessage())));
        }
        if (body.length > max) {
            throw batchTooLarge();
        }
        return body;
    }

    private int ready(HttpServerExchange exchange) {
        Optional<VersionPointer> pointer = store.pointer();
        if (pointer.isEmpty()) {
            return error(exchange, 503, "not_ready", NOT_READY);
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
            return 405;
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

    /** A request that cannot be answered: its connection is gone. */
    private static final class ClientGone extends RuntimeException {
        ClientGone() {
            super(null, null, false, false);
        }
    }

    /** Echoes at most 64 characters of a bad input back. */
    private static String clip(String s) {
        return PercentDecoding.clip(s);
    }
}
