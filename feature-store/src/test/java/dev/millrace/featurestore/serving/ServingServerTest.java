package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.SharedRedis;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every status code the HTTP API answers, over real HTTP, against a published embedded store (and a Redis-backed
 * server for the worker-thread path and the store-down 503).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingServerTest {

    private static final String TOKEN = "test-admin-token-0123456789";
    private static final String METRICS_TOKEN = "test-metrics-token-0123456789";
    private static final HttpTimeouts TIMEOUTS = new HttpTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(10));

    /** Small bounds, so the tests reach them cheaply. */
    static final BatchLimits BATCH = new BatchLimits(40, 16 * 1024);

    @TempDir
    static Path temp;

    private OnlineStore store;
    private OnlineStore emptyStore;
    private ServingServer server;
    private ServingServer emptyServer;
    private ServingServer noAdminServer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Metrics on the API's port behind their own token (the other mode, a listener of their own, has its test). */
    static ServingSettings settings(Optional<String> token) {
        return settings(token, TIMEOUTS, new MetricsExposure(MetricsExposure.Mode.TOKEN, "127.0.0.1", 0,
                Optional.of(METRICS_TOKEN)));
    }

    static ServingSettings settings(Optional<String> token, HttpTimeouts timeouts, MetricsExposure metrics) {
        return new ServingSettings("127.0.0.1", 0, 2, 4, 10, 50, 2048, 0, token, Duration.ofHours(1), timeouts, metrics,
                BATCH);
    }

    static final String UUID_USER = "3f2c9a4e-8b1d-4c7a-9e2f-1a2b3c4d5e6f";
    static final String SLASH_USER = "acct/7340-RED";
    static final String UNICODE_USER = "ünï 商品 🎬";
    static final String LONGEST_USER = "k".repeat(127) + "商";

    /** The ids with string items {@code <user>#0, <user>#1}: the user ids a numeric feed cannot have. */
    static final String[] STRING_USERS = {UUID_USER, SLASH_USER, UNICODE_USER, LONGEST_USER};

    /** Users "1".."20" with 30 items each (and the {@link #STRING_USERS}), version 1, then version 2 (previous = 1). */
    static void publishTwoVersions(OnlineStore store) {
        for (int round = 0; round < 2; round++) {
            try (PublishLease lease = store.beginPublish()) {
                try (VersionWriter w = store.openWriter(lease.version())) {
                    for (long u = 1; u <= 20; u++) {
                        String[] items = new String[30];
                        double[] scores = new double[30];
                        for (int i = 0; i < 30; i++) {
                            items[i] = Long.toString(u * 1000 + i);
                            scores[i] = 1.0 / (i + 1);
                        }
                        scores[29] = Double.NaN;
                        w.put(Keyspace.RECOMMENDATIONS, Long.toString(u),
                                new RecommendationRecord("m\"" + lease.version(), "r", Instant.EPOCH, items, scores).encode());
                    }
                    for (String u : STRING_USERS) {
                        w.put(Keyspace.RECOMMENDATIONS, u, new RecommendationRecord("m" + lease.version(), "r", null,
                                new String[] {u + "#0", "B00X4WHP5E"}, new double[] {0.75, 0.5}).encode());
                    }
                    w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY, new RecommendationRecord("popularity", "", null,
                            new String[] {"5", "SKU-6", "7"}, new double[] {3, 2, 1}).encode());
                    w.put(Keyspace.features("user"), "3", "{\"user_id\":3,\"feature_ts\":\"2025-01-02T00:00:00.000Z\",\"clicks\":9}"
                            .getBytes(StandardCharsets.UTF_8));
                    w.put(Keyspace.features("item"), "sku/7340 RED", "{\"item_id\":\"sku/7340 RED\",\"views\":2}"
                            .getBytes(StandardCharsets.UTF_8));
                }
                store.flip(lease);
            }
        }
    }

    @BeforeAll
    void start() {
        store = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("store").toString()).mapSize(64L << 20).build());
        publishTwoVersions(store);
        server = ServingServer.start(store, settings(Optional.of(TOKEN)));
        noAdminServer = ServingServer.start(store, settings(Optional.empty()));
        emptyStore = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("empty").toString()).mapSize(64L << 20).build());
        emptyServer = ServingServer.start(emptyStore, settings(Optional.of(TOKEN)));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, noAdminServer, emptyServer, store, emptyStore}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }

    private HttpResponse<String> get(ServingServer s, String path) throws IOException, InterruptedException {
        return send(s, HttpRequest.newBuilder(uri(s, path)).GET());
    }

    private HttpResponse<String> send(ServingServer s, HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(ServingServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    /** A GET sent byte for byte, for request targets java.net.URI refuses to build (malformed escapes, raw bytes). */
    private static RawResponse rawGet(ServingServer s, byte[] target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET ".getBytes(StandardCharsets.US_ASCII));
            out.write(target);
            out.write((" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = response.indexOf("\r\n\r\n");
            String head = response.substring(0, headEnd);
            int status = Integer.parseInt(head.split(" ")[1]);
            return new RawResponse(status, head, response.substring(headEnd + 4));
        }
    }

    private static RawResponse rawGet(ServingServer s, String target) throws IOException {
        return rawGet(s, target.getBytes(StandardCharsets.US_ASCII));
    }

    private record RawResponse(int status, String head, String body) {
        boolean json() {
            return head.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json");
        }
    }

    private static void assertJsonError(RawResponse r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json()).as(r.head()).isTrue();
        assertThat(r.body()).startsWith("{\"error\":\"" + code + "\"");
    }

    /** Percent-encodes a path segment as UTF-8 (URLEncoder is for forms: its '+' for a space is not a path's). */
    static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void assertJsonError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"" + code + "\"");
    }

    @Test
    void recommendationsForAKnownUser() throws Exception {
        HttpResponse<String> r = get(server, "/v1/recommendations/3?k=2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"user_id\":\"3\",\"version\":2,\"fallback\":false,\"model_version\":\"m\\\"2\","
                + "\"items\":[{\"item_id\":\"3000\",\"score\":1.0},{\"item_id\":\"3001\",\"score\":0.5}]}");
        HttpResponse<String> all = get(server, "/v1/recommendations/3?k=50");
        assertThat(all.body()).contains("\"item_id\":\"3029\",\"score\":null");
        assertThat(get(server, "/v1/recommendations/3").body().split("item_id")).hasSize(11);
        // A percent-encoded k is decoded like the path.
        assertThat(get(server, "/v1/recommendations/3?%6B=%32").body().split("item_id")).hasSize(3);
    }

    @Test
    void stringUserIdsArePercentDecodedAndAnsweredAsJsonStrings() throws Exception {
        HttpResponse<String> uuid = get(server, "/v1/recommendations/" + UUID_USER + "?k=5");
        assertThat(uuid.statusCode()).as(uuid.body()).isEqualTo(200);
        assertThat(uuid.body()).isEqualTo("{\"user_id\":\"" + UUID_USER + "\",\"version\":2,\"fallback\":false,"
                + "\"model_version\":\"m2\",\"items\":[{\"item_id\":\"" + UUID_USER + "#0\",\"score\":0.75},"
                + "{\"item_id\":\"B00X4WHP5E\",\"score\":0.5}]}");
        // The id is matched exactly (no case folding).
        assertThat(get(server, "/v1/recommendations/" + UUID_USER.toUpperCase()).body()).contains("\"fallback\":true");

        // %2F is a character of the id, not a path separator; an unencoded '/' is one too many segments.
        assertThat(enc(SLASH_USER)).contains("%2F");
        HttpResponse<String> slash = get(server, "/v1/recommendations/" + enc(SLASH_USER) + "?k=1");
        assertThat(slash.statusCode()).as(slash.body()).isEqualTo(200);
        assertThat(slash.body()).contains("\"user_id\":\"acct/7340-RED\"").contains("\"fallback\":false")
                .contains("\"item_id\":\"acct/7340-RED#0\"");
        // Lower-case hex digits decode the same.
        assertThat(get(server, "/v1/recommendations/acct%2f7340-RED").body()).contains("\"fallback\":false");
        assertJsonError(get(server, "/v1/recommendations/acct/7340-RED"), 404, "not_found");

        for (String user : new String[] {UNICODE_USER, LONGEST_USER}) {
            HttpResponse<String> r = get(server, "/v1/recommendations/" + enc(user) + "?k=1");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("application/json");
            assertThat(r.body()).contains("\"user_id\":\"" + user + "\"").contains("\"fallback\":false")
                    .contains("\"item_id\":\"" + user + "#0\"");
        }
        // A '+' in a path is itself, not a space.
        assertThat(get(server, "/v1/recommendations/" + UNICODE_USER.replace(" ", "+").transform(ServingServerTest::encKeepPlus))
                .body()).contains("\"fallback\":true");
    }

    private static String encKeepPlus(String s) {
        return enc(s).replace("%2B", "+");
    }

    @Test
    void unknownUsersGetTheMarkedFallback() throws Exception {
        for (String user : new String[] {"-42", "abc", "99999999999999999999", "40213.0", enc("nobody/at all 商")}) {
            HttpResponse<String> r = get(server, "/v1/recommendations/" + user + "?k=2");
            assertThat(r.statusCode()).as(user).isEqualTo(200);
            assertThat(r.body()).contains("\"fallback\":true").contains("\"model_version\":\"popularity\"")
                    .contains("\"item_id\":\"5\"").contains("\"item_id\":\"SKU-6\"").doesNotContain("\"item_id\":\"7\"");
        }
        assertThat(get(server, "/v1/recommendations/" + enc("nobody/at all 商")).body())
                .startsWith("{\"user_id\":\"nobody/at all 商\",");
    }

    @Test
    void featuresFoundAndNotFound() throws Exception {
        HttpResponse<String> r = get(server, "/v1/features/user/3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"entity\":\"user\",\"id\":\"3\",\"version\":2,\"source\":\"published\","
                + "\"features\":{\"user_id\":3,\"feature_ts\":\"2025-01-02T00:00:00.000Z\",\"clicks\":9}}");
        assertJsonError(get(server, "/v1/features/user/4"), 404, "not_found");
        assertJsonError(get(server, "/v1/features/item/1"), 404, "not_found");
        assertJsonError(get(server, "/v1/features/user"), 404, "not_found");
        assertJsonError(get(server, "/v1/features/user/3/extra"), 404, "not_found");
        // String ids with an encoded '/' and space.
        HttpResponse<String> sku = get(server, "/v1/features/item/" + enc("sku/7340 RED"));
        assertThat(sku.statusCode()).as(sku.body()).isEqualTo(200);
        assertThat(sku.body()).startsWith("{\"entity\":\"item\",\"id\":\"sku/7340 RED\",\"version\":2,")
                .contains("\"views\":2");
        assertJsonError(get(server, "/v1/features/item/sku/7340%20RED"), 404, "not_found");
        assertJsonError(get(server, "/v1/features/user/a%20b"), 404, "not_found");
    }

    @Test
    void idsBreakingTheKeyRuleOrItsEncodingAre400() throws Exception {
        String[] bad = {
            "",                     // empty
            "k".repeat(129),        // too long
            enc("商".repeat(129)),  // too long, counted in characters, not bytes
            "a%00b", "a%0Ab", "%7F", "a%C2%85b",  // control characters (NUL, LF, DEL, NEL)
            "%20a", "a%20", "%09a", // leading or trailing white space
            "%C3%28", "%FF", "%ED%A0%80", // bytes that are not UTF-8 (a lone surrogate included)
        };
        for (String id : bad) {
            RawResponse r = rawGet(server, "/v1/recommendations/" + id);
            assertJsonError(r, 400, "bad_request");
            assertThat(r.body()).as(id).contains("user id");
            assertJsonError(rawGet(server, "/v1/features/user/" + id), 400, "bad_request");
        }
        assertThat(rawGet(server, "/v1/recommendations/" + "k".repeat(129)).body()).contains("129 characters long (at most 128)");
        assertThat(rawGet(server, "/v1/recommendations/a%0Ab").body()).contains("control character");
        assertThat(rawGet(server, "/v1/recommendations/%FF").body()).contains("not UTF-8");
        // Bytes beyond ASCII must be percent-encoded: sent raw, they are refused, never guessed at.
        RawResponse raw = rawGet(server, "/v1/recommendations/caf\u00e9".getBytes(StandardCharsets.UTF_8));
        assertJsonError(raw, 400, "bad_request");
        assertThat(raw.body()).contains("must be percent-encoded");
        // A malformed escape never reaches the handler: Undertow's parser refuses it with an empty 400.
        for (String id : new String[] {"a%zz", "a%4", "a%", "%%41"}) {
            assertThat(rawGet(server, "/v1/recommendations/" + id).status()).as(id).isEqualTo(400);
        }
        // The longest ids are fine, in ASCII and beyond.
        assertThat(get(server, "/v1/recommendations/" + "k".repeat(128)).statusCode()).isEqualTo(200);
        assertThat(get(server, "/v1/recommendations/" + enc("🎬".repeat(64))).statusCode()).isEqualTo(200);
    }

    @Test
    void malformedInputIs400() throws Exception {
        assertJsonError(get(server, "/v1/recommendations/"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=0"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=51"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=-1"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=ten"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=1&k=2"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?limit=3"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/User/3"), 400, "bad_request");
        assertJsonError(rawGet(server, "/v1/features/%FF/3"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/user/" + "9".repeat(129)), 400, "bad_request");
        assertJsonError(rawGet(server, "/v1/recommendations/1?k=%C3%28"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/user/3?x=1"), 400, "bad_request");
    }

    @Test
    void unknownPathsAre404() throws Exception {
        assertJsonError(get(server, "/"), 404, "not_found");
        assertJsonError(get(server, "/v2/recommendations/1"), 404, "not_found");
        assertJsonError(get(server, "/v1/recommendations"), 404, "not_found");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> r = send(server, HttpRequest.newBuilder(uri(server, "/v1/recommendations/1"))
                .DELETE());
        assertJsonError(r, 405, "method_not_allowed");
        assertThat(r.headers().firstValue("allow")).contains("GET, HEAD");
        assertJsonError(send(server, HttpRequest.newBuilder(uri(server, "/v1/admin/rollback")).GET()), 405, "method_not_allowed");
    }

    @Test
    void oversizedInputIs413Or414() throws Exception {
        assertJsonError(get(server, "/v1/recommendations/1?k=" + "1".repeat(3000)), 414, "uri_too_long");
        assertJsonError(get(server, "/v1/features/user/" + "a".repeat(3000)), 414, "uri_too_long");
        HttpResponse<String> body = send(server, HttpRequest.newBuilder(uri(server, "/v1/recommendations/1"))
                .method("GET", HttpRequest.BodyPublishers.ofString("x".repeat(100))));
        assertJsonError(body, 413, "payload_too_large");
    }

    @Test
    void healthReadyAndMetrics() throws Exception {
        assertThat(get(server, "/health").body()).isEqualTo("{\"status\":\"ok\"}");
        HttpResponse<String> ready = get(server, "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"ready\":true,\"version\":2,\"previous\":1}");
        get(server, "/v1/recommendations/1");
        get(server, "/v1/recommendations/1?k=0");
        assertJsonError(get(server, "/metrics"), 401, "unauthorized");
        assertJsonError(send(server, HttpRequest.newBuilder(uri(server, "/metrics"))
                .header("Authorization", "Bearer " + TOKEN).GET()), 401, "unauthorized");
        HttpResponse<String> m = send(server, HttpRequest.newBuilder(uri(server, "/metrics"))
                .header("Authorization", "Bearer " + METRICS_TOKEN).GET());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(m.body()).contains("millrace_serving_requests_total{route=\"recommendations\",status=\"200\"}")
                .contains("millrace_serving_requests_total{route=\"recommendations\",status=\"400\"}")
                .contains("millrace_serving_request_seconds_bucket{route=\"recommendations\",le=\"0.001\"}")
                .contains("millrace_serving_store_version 2.0");
    }

    @Test
    void metricsOnAListenerOfTheirOwnAreNotOnTheApiPort() throws Exception {
        try (ServingServer s = ServingServer.start(store, settings(Optional.empty(), TIMEOUTS,
                MetricsExposure.onPort("127.0.0.1", 0)))) {
            assertThat(s.metricsPort()).isPositive().isNotEqualTo(s.port());
            assertThat(get(s, "/v1/recommendations/1").statusCode()).isEqualTo(200);
            HttpResponse<String> onApi = get(s, "/metrics");
            assertJsonError(onApi, 404, "not_found");
            assertThat(onApi.body()).contains("millrace.serving.metrics");
            URI metrics = URI.create("http://127.0.0.1:" + s.metricsPort() + "/metrics");
            HttpResponse<String> m = send(s, HttpRequest.newBuilder(metrics).GET());
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.body()).contains("millrace_serving_requests_total{route=\"recommendations\",status=\"200\"}");
            assertJsonError(send(s, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.metricsPort()
                    + "/v1/recommendations/1")).GET()), 404, "not_found");
            assertJsonError(send(s, HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.noBody())),
                    405, "method_not_allowed");
        }
        // A token too short (or none) for metrics behind a token is refused before anything listens.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MetricsExposure(MetricsExposure.Mode.TOKEN,
                "127.0.0.1", 0, Optional.of("short"))).hasMessageContaining("millrace.serving.metrics.token");
    }

    @Test
    void silentAndTricklingConnectionsAreClosedByTheTimeouts() throws Exception {
        HttpTimeouts quick = new HttpTimeouts(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300));
        try (ServingServer s = ServingServer.start(store, settings(Optional.empty(), quick,
                MetricsExposure.onPort("127.0.0.1", 0)))) {
            // Nothing sent: the server closes the connection (read returns end of stream) well before our 10 s bound.
            try (Socket silent = new Socket("127.0.0.1", s.port())) {
                silent.setSoTimeout(10_000);
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
            }
            // A request head that never ends (a slow-loris client): closed, with no response.
            try (Socket slow = new Socket("127.0.0.1", s.port())) {
                slow.setSoTimeout(10_000);
                slow.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"
                        .getBytes(StandardCharsets.US_ASCII));
                slow.getOutputStream().flush();
                assertThat(slow.getInputStream().readAllBytes()).isEmpty();
            }
            // A complete request is answered, then the idle keep-alive connection is closed.
            try (Socket ok = new Socket("127.0.0.1", s.port())) {
                ok.setSoTimeout(10_000);
                ok.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                ok.getOutputStream().flush();
                assertThat(new String(ok.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 200").endsWith("{\"status\":\"ok\"}");
            }
        }
    }

    @Test
    void notReadyBeforeTheFirstPublishIs503() throws Exception {
        assertThat(get(emptyServer, "/health").statusCode()).isEqualTo(200);
        assertJsonError(get(emptyServer, "/ready"), 503, "not_ready");
        assertJsonError(get(emptyServer, "/v1/recommendations/1"), 503, "not_ready");
        assertJsonError(get(emptyServer, "/v1/features/user/1"), 503, "not_ready");
    }

    @Test
    void streamingFeaturesAreServedBeforeTheFirstPublish() throws Exception {
        new FeatureService(emptyStore, Duration.ofMinutes(5))
                .overlay("user_rt", "9", "{\"user_id\":9,\"feature_ts\":\"2026-11-30T10:00:00Z\",\"count_5m\":3}");
        HttpResponse<String> r = get(emptyServer, "/v1/features/user_rt/9");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"count_5m\":3").contains("overlay");
        assertJsonError(get(emptyServer, "/v1/features/user_rt/10"), 503, "not_ready");
        assertJsonError(get(emptyServer, "/ready"), 503, "not_ready");
    }

    @Test
    void rollbackNeedsTheTokenAndExistsOnlyWithOne() throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(uri(server, "/v1/admin/rollback")).POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> none = send(server, post);
        assertJsonError(none, 401, "unauthorized");
        assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer");
        assertJsonError(send(server, HttpRequest.newBuilder(uri(server, "/v1/admin/rollback"))
                .header("Authorization", "Bearer wrong-token-0123456789").POST(HttpRequest.BodyPublishers.noBody())), 401, "unauthorized");
        assertJsonError(send(noAdminServer, HttpRequest.newBuilder(uri(noAdminServer, "/v1/admin/rollback"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody())), 404, "not_found");
        assertJsonError(send(emptyServer, HttpRequest.newBuilder(uri(emptyServer, "/v1/admin/rollback"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody())), 503, "not_ready");

        HttpRequest.Builder authed = HttpRequest.newBuilder(uri(server, "/v1/admin/rollback"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> ok = send(server, authed);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"version\":1,\"previous\":2}");
        assertThat(get(server, "/v1/recommendations/3?k=1").body()).contains("\"version\":1");
        // And back, so other tests see version 2.
        assertThat(send(server, authed).body()).isEqualTo("{\"version\":2,\"previous\":1}");
    }

    @Test
    void rollbackWithoutPreviousIs409() throws Exception {
        try (OnlineStore single = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("single").toString()).mapSize(64L << 20).build())) {
            try (PublishLease lease = single.beginPublish()) {
                try (VersionWriter w = single.openWriter(lease.version())) {
                    w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY, new RecommendationRecord("p", "", null, new String[0], new double[0]).encode());
                }
                single.flip(lease);
            }
            try (ServingServer s = ServingServer.start(single, settings(Optional.of(TOKEN)))) {
                assertJsonError(send(s, HttpRequest.newBuilder(uri(s, "/v1/admin/rollback"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody())), 409, "conflict");
                // An empty popularity list is still a valid fallback answer.
                assertThat(get(s, "/v1/recommendations/1").body()).contains("\"fallback\":true").contains("\"items\":[]");
            }
        }
    }

    @Test
    void redisBackedServerAnswersAndReports503WhenRedisIsDown() throws Exception {
        StoreSettings redis = SharedRedis.freshSettings("http");
        try (OnlineStore rstore = OnlineStores.open(redis); ServingServer s = ServingServer.start(rstore, settings(Optional.empty()))) {
            assertJsonError(get(s, "/ready"), 503, "not_ready");
            publishTwoVersions(rstore);
            assertThat(get(s, "/v1/recommendations/7?k=1").body()).contains("\"item_id\":\"7000\"").contains("\"version\":");
            assertThat(get(s, "/v1/recommendations/" + enc(SLASH_USER)).body()).contains("\"item_id\":\"acct/7340-RED#0\"");
            assertThat(get(s, "/v1/recommendations/" + enc(UNICODE_USER)).body()).contains("\"fallback\":false");
            assertThat(get(s, "/v1/features/user/3").statusCode()).isEqualTo(200);
        }
        StoreSettings down = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", 1)
                .redisTimeout(Duration.ofMillis(300)).build();
        try (OnlineStore dead = OnlineStores.open(down); ServingServer s = ServingServer.start(dead, settings(Optional.empty()))) {
            assertJsonError(get(s, "/v1/recommendations/1"), 503, "store_unavailable");
        }
    }
}
