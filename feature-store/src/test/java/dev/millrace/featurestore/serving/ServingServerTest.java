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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    @TempDir
    static Path temp;

    private OnlineStore store;
    private OnlineStore emptyStore;
    private ServingServer server;
    private ServingServer emptyServer;
    private ServingServer noAdminServer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static ServingSettings settings(Optional<String> token) {
        return new ServingSettings("127.0.0.1", 0, 2, 4, 10, 50, 64, 256, 0, token, Duration.ofHours(1));
    }

    /** Users 1..20 with 30 items each, version 1, then version 2 (previous = 1). */
    static void publishTwoVersions(OnlineStore store) {
        for (int round = 0; round < 2; round++) {
            try (PublishLease lease = store.beginPublish()) {
                try (VersionWriter w = store.openWriter(lease.version())) {
                    for (long u = 1; u <= 20; u++) {
                        long[] items = new long[30];
                        double[] scores = new double[30];
                        for (int i = 0; i < 30; i++) {
                            items[i] = u * 1000 + i;
                            scores[i] = 1.0 / (i + 1);
                        }
                        scores[29] = Double.NaN;
                        w.put(Keyspace.RECOMMENDATIONS, Long.toString(u),
                                new RecommendationRecord("m\"" + lease.version(), "r", Instant.EPOCH, items, scores).encode());
                    }
                    w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY,
                            new RecommendationRecord("popularity", "", null, new long[] {5, 6, 7}, new double[] {3, 2, 1}).encode());
                    w.put(Keyspace.features("user"), "3", "{\"user_id\":3,\"feature_ts\":\"2025-01-02T00:00:00.000Z\",\"clicks\":9}"
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

    private static void assertJsonError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"" + code + "\"");
    }

    @Test
    void recommendationsForAKnownUser() throws Exception {
        HttpResponse<String> r = get(server, "/v1/recommendations/3?k=2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"user_id\":3,\"version\":2,\"fallback\":false,\"model_version\":\"m\\\"2\","
                + "\"items\":[{\"item_id\":3000,\"score\":1.0},{\"item_id\":3001,\"score\":0.5}]}");
        HttpResponse<String> all = get(server, "/v1/recommendations/3?k=50");
        assertThat(all.body()).contains("\"item_id\":3029,\"score\":null");
        assertThat(get(server, "/v1/recommendations/3").body().split("item_id")).hasSize(11);
    }

    @Test
    void unknownUsersGetTheMarkedFallback() throws Exception {
        HttpResponse<String> r = get(server, "/v1/recommendations/-42?k=2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"fallback\":true").contains("\"model_version\":\"popularity\"")
                .contains("\"item_id\":5").contains("\"item_id\":6").doesNotContain("\"item_id\":7");
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
    }

    @Test
    void malformedInputIs400() throws Exception {
        assertJsonError(get(server, "/v1/recommendations/abc"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/99999999999999999999"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=0"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=51"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=-1"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=ten"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?k=1&k=2"), 400, "bad_request");
        assertJsonError(get(server, "/v1/recommendations/1?limit=3"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/User/3"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/user/a%20b"), 400, "bad_request");
        assertJsonError(get(server, "/v1/features/user/" + "9".repeat(65)), 400, "bad_request");
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
        assertJsonError(get(server, "/v1/recommendations/1?k=" + "1".repeat(300)), 414, "uri_too_long");
        assertJsonError(get(server, "/v1/features/user/" + "a".repeat(300)), 414, "uri_too_long");
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
        HttpResponse<String> m = get(server, "/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(m.body()).contains("millrace_serving_requests_total{route=\"recommendations\",status=\"200\"}")
                .contains("millrace_serving_requests_total{route=\"recommendations\",status=\"400\"}")
                .contains("millrace_serving_request_seconds_bucket{route=\"recommendations\",le=\"0.001\"}")
                .contains("millrace_serving_store_version 2.0");
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
                    w.put(Keyspace.POPULAR, Keyspace.POPULAR_KEY, new RecommendationRecord("p", "", null, new long[0], new double[0]).encode());
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
            assertThat(get(s, "/v1/recommendations/7?k=1").body()).contains("\"item_id\":7000").contains("\"version\":");
            assertThat(get(s, "/v1/features/user/3").statusCode()).isEqualTo(200);
        }
        StoreSettings down = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", 1)
                .redisTimeout(Duration.ofMillis(300)).build();
        try (OnlineStore dead = OnlineStores.open(down); ServingServer s = ServingServer.start(dead, settings(Optional.empty()))) {
            assertJsonError(get(s, "/v1/recommendations/1"), 503, "store_unavailable");
        }
    }
}
