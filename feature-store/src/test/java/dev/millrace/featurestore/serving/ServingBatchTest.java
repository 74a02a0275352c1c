package dev.millrace.featurestore.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.SharedRedis;
import dev.millrace.featurestore.online.StoreSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.millrace.featurestore.serving.ServingServerTest.LONGEST_USER;
import static dev.millrace.featurestore.serving.ServingServerTest.SLASH_USER;
import static dev.millrace.featurestore.serving.ServingServerTest.UNICODE_USER;
import static dev.millrace.featurestore.serving.ServingServerTest.UUID_USER;
import static dev.millrace.featurestore.serving.ServingServerTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch routes over real HTTP ({@code POST /v1/recommendations:batch}, {@code POST /v1/features/{entity}:batch}):
 * every entry equals the GET answer for its id, in request order, from one store version even while publishes flip
 * versions; the bounds, every malformed body and the wrong methods are JSON 4xx. Ids are strings of every shape
 * (UUIDs, '/', unicode, 128 characters), on the embedded store and on Redis.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingBatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECS = "/v1/recommendations:batch";

    @TempDir
    static Path temp;

    private OnlineStore store;
    private OnlineStore emptyStore;
    private ServingServer server;
    private ServingServer emptyServer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void start() {
        store = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("store").toString()).mapSize(64L << 20).build());
        ServingServerTest.publishTwoVersions(store);
        server = ServingServer.start(store, ServingServerTest.settings(Optional.empty()));
        emptyStore = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("empty").toString()).mapSize(64L << 20).build());
        emptyServer = ServingServer.start(emptyStore, ServingServerTest.settings(Optional.empty()));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, emptyServer, store, emptyStore}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }

    private HttpResponse<String> post(ServingServer s, String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(s, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(ServingServer s, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(s, path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(ServingServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    /** {"ids": [...]} (plus extra fields), with every id as a JSON string. */
    private static String ids(List<String> ids, String extra) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ids.forEach(body.putArray("ids")::add);
        return extra.isEmpty() ? JSON.writeValueAsString(body)
                : JSON.writeValueAsString(body).replaceFirst("}$", "," + extra + "}");
    }

    private static JsonNode tree(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        return JSON.readTree(r.body());
    }

    private static void assertJsonError(HttpResponse<String> r, int status, String code, String... inMessage) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode n = tree(r);
        assertThat(n.path("error").asText()).as(r.body()).isEqualTo(code);
        for (String part : inMessage) {
            assertThat(n.path("message").asText()).as(r.body()).contains(part);
        }
        assertThat(n.size()).isEqualTo(2);
    }

    /** Every entry of a recommendations batch equals the GET answer of its id, in order; returns the answer. */
    private JsonNode assertRecommendationsLikeGets(ServingServer s, List<String> users, Integer k) throws Exception {
        HttpResponse<String> r = post(s, RECS, ids(users, k == null ? "" : "\"k\":" + k));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode batch = tree(r);
        JsonNode results = batch.get("results");
        assertThat(results.size()).isEqualTo(users.size());
        for (int i = 0; i < users.size(); i++) {
            HttpResponse<String> one = get(s, "/v1/recommendations/" + enc(users.get(i)) + (k == null ? "" : "?k=" + k));
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(results.get(i)).as(users.get(i)).isEqualTo(JSON.readTree(one.body()));
            assertThat(results.get(i).get("version")).isEqualTo(batch.get("version"));
        }
        return batch;
    }

    @Test
    void recommendationsEqualThePerIdGetAnswersInRequestOrder() throws Exception {
        List<String> users = List.of("3", UUID_USER, SLASH_USER, "nobody/at all 商", UNICODE_USER, LONGEST_USER, "17",
                "007", "40213.0", UUID_USER.toUpperCase());
        JsonNode batch = assertRecommendationsLikeGets(server, users, 3);
        assertThat(batch.get("version").asLong()).isEqualTo(2);
        assertThat(batch.fieldNames()).toIterable().containsExactly("version", "results");
        JsonNode results = batch.get("results");
        assertThat(results.get(0).get("user_id").asText()).isEqualTo("3");
        assertThat(results.get(0).get("items").size()).isEqualTo(3);
        assertThat(results.get(2).get("items").get(0).get("item_id").asText()).isEqualTo("acct/7340-RED#0");
        // Unknown users get the fallback of the same version, as the GET does.
        assertThat(results.get(3).get("fallback").asBoolean()).isTrue();
        assertThat(results.get(9).get("model_version").asText()).isEqualTo("popularity");
        // The reverse order comes back reversed; without k, default-k (10) applies as on the GET route.
        List<String> reversed = new ArrayList<>(users);
        java.util.Collections.reverse(reversed);
        assertRecommendationsLikeGets(server, reversed, null);
        // k = max-k, and the NaN score at the list's end, as the GET shows it.
        JsonNode longest = assertRecommendationsLikeGets(server, List.of("5", "6"), 50);
        assertThat(longest.get("results").get(0).get("items").get(29).get("score").isNull()).isTrue();
    }

    @Test
    void featuresEqualThePerIdGetAnswersAndMissingIdsCarryTheGetError() throws Exception {
        List<String> ids = List.of("sku/7340 RED", "nope", "ü 商/🎬", "7340-RED");
        HttpResponse<String> r = post(server, "/v1/features/item:batch", ids(ids, ""));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode batch = tree(r);
        assertThat(batch.get("entity").asText()).isEqualTo("item");
        assertThat(batch.get("version").asLong()).isEqualTo(2);
        JsonNode results = batch.get("results");
        assertThat(results.size()).isEqualTo(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            HttpResponse<String> one = get(server, "/v1/features/item/" + enc(ids.get(i)));
            JsonNode expected = JSON.readTree(one.body());
            if (one.statusCode() == 200) {
                assertThat(results.get(i)).as(ids.get(i)).isEqualTo(expected);
            } else {
                // The GET's 404 body, with the id it is about.
                assertThat(one.statusCode()).isEqualTo(404);
                ObjectNode withId = JSON.createObjectNode().put("id", ids.get(i));
                withId.setAll((ObjectNode) expected);
                assertThat(results.get(i)).as(ids.get(i)).isEqualTo(withId);
            }
        }
        assertThat(results.get(0).get("source").asText()).isEqualTo("published");
        assertThat(results.get(1).get("error").asText()).isEqualTo("not_found");
        // An entity without any features: every id not found, still 200 for the batch.
        HttpResponse<String> none = post(server, "/v1/features/user_item:batch", ids(List.of("1:2"), ""));
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(tree(none).get("results").get(0).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void overlayValuesAreServedInBatchesAsOnTheGetRoute() throws Exception {
        new FeatureService(store, Duration.ofMinutes(5))
                .overlay("user", "3", "{\"user_id\":3,\"feature_ts\":\"2026-01-01T00:00:00Z\",\"clicks\":10}");
        new FeatureService(store, Duration.ofMinutes(5))
                .overlay("user", "ov/only", "{\"user_id\":\"ov/only\",\"feature_ts\":\"2026-01-01T00:00:00Z\",\"clicks\":1}");
        List<String> ids = List.of("ov/only", "3", "4");
        JsonNode results = tree(post(server, "/v1/features/user:batch", ids(ids, ""))).get("results");
        for (int i = 0; i < 2; i++) {
            assertThat(results.get(i)).isEqualTo(JSON.readTree(get(server, "/v1/features/user/" + enc(ids.get(i))).body()));
            assertThat(results.get(i).get("source").asText()).isEqualTo("overlay");
        }
        assertThat(results.get(2).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void beforeTheFirstPublishBatchesAre503UnlessOverlayValuesExist() throws Exception {
        assertJsonError(post(emptyServer, RECS, ids(List.of("1", "2"), "")), 503, "not_ready");
        assertJsonError(post(emptyServer, "/v1/features/user:batch", ids(List.of("1"), "")), 503, "not_ready");
        new FeatureService(emptyStore, Duration.ofMinutes(5))
                .overlay("user_rt", "9", "{\"user_id\":9,\"feature_ts\":\"2026-11-30T10:00:00Z\",\"count_5m\":3}");
        HttpResponse<String> r = post(emptyServer, "/v1/features/user_rt:batch", ids(List.of("10", "9"), ""));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode batch = tree(r);
        assertThat(batch.get("version").asLong()).isZero();
        // Each entry is what the GET answers for its id: the overlay value for 9, the GET's 503 error for 10.
        assertThat(batch.get("results").get(1)).isEqualTo(JSON.readTree(get(emptyServer, "/v1/features/user_rt/9").body()));
        HttpResponse<String> ten = get(emptyServer, "/v1/features/user_rt/10");
        assertThat(ten.statusCode()).isEqualTo(503);
        ObjectNode withId = JSON.createObjectNode().put("id", "10");
        withId.setAll((ObjectNode) JSON.readTree(ten.body()));
        assertThat(batch.get("results").get(0)).isEqualTo(withId);
    }

    @Test
    void theIdAndBodyBoundsAre413() throws Exception {
        List<String> forty = new ArrayList<>();
        for (int i = 0; i < ServingServerTest.BATCH.maxIds(); i++) {
            forty.add("user-" + i);
        }
        assertThat(post(server, RECS, ids(forty, "")).statusCode()).isEqualTo(200);
        List<String> fortyOne = new ArrayList<>(forty);
        fortyOne.add("one-too-many");
        assertJsonError(post(server, RECS, ids(fortyOne, "")), 413, "payload_too_large", "at most 40 ids, got 41",
                "millrace.serving.batch.max-ids");
        assertJsonError(post(server, "/v1/features/user:batch", ids(fortyOne, "")), 413, "payload_too_large");
        // A body over the byte bound, declared (Content-Length) or chunked (no length: counted while read).
        String padded = ids(List.of("1"), "").replace("{", "{" + " ".repeat(17 * 1024));
        assertJsonError(post(server, RECS, padded), 413, "payload_too_large", "16384 bytes");
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri(server, RECS)).POST(HttpRequest.BodyPublishers
                .ofInputStream(() -> new ByteArrayInputStream(padded.getBytes(StandardCharsets.UTF_8)))));
        assertJsonError(chunked, 413, "payload_too_large");
        // Chunked within the bound is fine.
        HttpResponse<String> small = send(HttpRequest.newBuilder(uri(server, RECS)).POST(HttpRequest.BodyPublishers
                .ofInputStream(() -> new ByteArrayInputStream("{\"ids\":[\"3\"],\"k\":1}".getBytes(StandardCharsets.UTF_8)))));
        assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        // The GET routes keep their own bound (no body).
        assertJsonError(send(HttpRequest.newBuilder(uri(server, "/v1/recommendations/1"))
                .method("GET", HttpRequest.BodyPublishers.ofString("x".repeat(100)))), 413, "payload_too_large");
    }

    /** Sends raw bytes, closes our side, returns everything the server sent back. */
    private static String raw(ServingServer s, String request, boolean halfClose) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            try {
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException e) {
                return ""; // reset after the answer or instead of one
            }
        }
    }

    @Test
    void brokenChunkedBodiesNeverGetA5xx() throws Exception {
        String head = "POST " + RECS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
        // A well-formed chunked body is read like any other.
        String ok = raw(server, head + "b\r\n{\"ids\":[\"3\"\r\n2\r\n]}\r\n0\r\n\r\n", false);
        assertThat(ok).startsWith("HTTP/1.1 200").contains("\"user_id\":\"3\"");
        // A body cut short by the client closing its side: Undertow closes the connection, nothing can be answered.
        assertThat(raw(server, head + "20\r\n{\"ids\":", true)).isEmpty();
        // A body whose chunk framing is broken: no 5xx; a 400 if the connection is still there to carry one.
        String broken = raw(server, head + "zz\r\nxyz\r\n", true);
        assertThat(broken).satisfiesAnyOf(b -> assertThat(b).isEmpty(), b -> assertThat(b).startsWith("HTTP/1.1 400"));
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedBodiesAre400NamingTheProblem() throws Exception {
        String[][] cases = {
            {"", "the body is empty"},
            {"{\"ids\": [\"1\"", "not valid JSON"},
            {"{\"ids\": [\"1\"]} {}", "not valid JSON"},
            {"{\"ids\": [\"1\"], \"ids\": [\"2\"]}", "Duplicate field 'ids'"},
            {"[\"1\", \"2\"]", "must be a JSON object"},
            {"\"1\"", "must be a JSON object"},
            {"{}", "has no \"ids\""},
            {"{\"ids\": \"1\"}", "\"ids\" must be an array of id strings, got a string"},
            {"{\"ids\": []}", "\"ids\" is empty"},
            {"{\"ids\": [7]}", "ids[0] must be a string, got a number"},
            {"{\"ids\": [\"1\", null]}", "ids[1] must be a string, got null"},
            {"{\"ids\": [\"1\", [\"2\"]]}", "ids[1] must be a string, got an array"},
            {"{\"ids\": [\"\"]}", "ids[0] '' is empty"},
            {"{\"ids\": [\"" + "k".repeat(129) + "\"]}", "is 129 characters long (at most 128)"},
            {"{\"ids\": [\"a\\nb\"]}", "control character"},
            {"{\"ids\": [\" a\"]}", "leading or trailing white space"},
            {"{\"ids\": [\"ok\", \"x\\ud800\"]}", "ids[1]", "unpaired surrogate"},
            {"{\"ids\": [\"u1\", \"u2\", \"u1\"]}", "ids[2] 'u1' repeats ids[0]"},
            {"{\"ids\": [\"1\"], \"k\": 0}", "k must be from 1 to 50, got 0"},
            {"{\"ids\": [\"1\"], \"k\": 51}", "k must be from 1 to 50, got 51"},
            {"{\"ids\": [\"1\"], \"k\": -3}", "got -3"},
            {"{\"ids\": [\"1\"], \"k\": 99999999999999999999999}", "k must be from 1 to 50"},
            {"{\"ids\": [\"1\"], \"k\": \"10\"}", "k must be an integer from 1 to 50, got '\"10\"'"},
            {"{\"ids\": [\"1\"], \"k\": 2.5}", "k must be an integer"},
            {"{\"ids\": [\"1\"], \"k\": null}", "k must be an integer"},
            {"{\"ids\": [\"1\"], \"limit\": 3}", "unknown field 'limit' (accepted: ids, k)"},
        };
        for (String[] c : cases) {
            String[] expected = java.util.Arrays.copyOfRange(c, 1, c.length);
            assertJsonError(post(server, RECS, c[0]), 400, "bad_request", expected);
        }
        // The id rules are the GET route's, in its words.
        String getMessage = JSON.readTree(get(server, "/v1/recommendations/" + "k".repeat(129)).body()).get("message").asText();
        String batchMessage = JSON.readTree(post(server, RECS, "{\"ids\": [\"" + "k".repeat(129) + "\"]}").body())
                .get("message").asText();
        assertThat(batchMessage.replace("ids[0]", "user id")).isEqualTo(getMessage.replace(", percent-encoded as UTF-8", ""));
        // Features take ids alone (their GET takes no query parameters), and an entity by the GET's rule.
        assertJsonError(post(server, "/v1/features/user:batch", "{\"ids\": [\"1\"], \"k\": 3}"), 400, "bad_request",
                "unknown field 'k' (accepted: ids)");
        assertJsonError(post(server, "/v1/features/User:batch", ids(List.of("1"), "")), 400, "bad_request", "entity");
        assertJsonError(post(server, "/v1/features/:batch", ids(List.of("1"), "")), 400, "bad_request", "entity");
        assertJsonError(post(server, "/v1/features/user:batch", "{\"ids\": [\"3\", \"3\"]}"), 400, "bad_request", "repeats");
        // Options go in the body, not the query.
        assertJsonError(post(server, RECS + "?k=3", ids(List.of("1"), "")), 400, "bad_request", "no query parameters");
        // Ids in a body are JSON strings, not percent-encoded: "%2F" is three characters (an unknown user here).
        JsonNode escaped = tree(post(server, RECS, ids(List.of("acct%2F7340-RED"), ""))).get("results").get(0);
        assertThat(escaped.get("fallback").asBoolean()).isTrue();
    }

    @Test
    void onlyPostIsAllowedOnTheBatchPaths() throws Exception {
        for (String path : new String[] {RECS, "/v1/features/user:batch"}) {
            HttpResponse<String> g = get(server, path);
            assertJsonError(g, 405, "method_not_allowed", "allowed: POST");
            assertThat(g.headers().firstValue("allow")).contains("POST");
            assertJsonError(send(HttpRequest.newBuilder(uri(server, path)).PUT(HttpRequest.BodyPublishers.ofString("{}"))),
                    405, "method_not_allowed");
            assertJsonError(send(HttpRequest.newBuilder(uri(server, path)).DELETE()), 405, "method_not_allowed");
            HttpResponse<String> head = send(HttpRequest.newBuilder(uri(server, path)).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()));
            assertThat(head.statusCode()).isEqualTo(405);
        }
        // Paths next to the batch paths are GET paths, as before: a user id or a feature id may end in ":batch".
        assertThat(tree(get(server, "/v1/recommendations/x:batch")).get("user_id").asText()).isEqualTo("x:batch");
        assertThat(get(server, "/v1/features/user/3:batch").statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri(server, "/v1/recommendations/3")).POST(HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(405);
        assertThat(send(HttpRequest.newBuilder(uri(server, "/v1/recommendations:batch/")).POST(HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(404);
    }

    @Test
    void batchRequestsAndIdsAreCountedPerRoute() throws Exception {
        try (ServingServer s = ServingServer.start(store, ServingServerTest.settings(Optional.empty(), new HttpTimeouts(
                Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10)), MetricsExposure.onPort("127.0.0.1", 0)))) {
            assertThat(post(s, RECS, ids(List.of("1", "2", "nobody"), "")).statusCode()).isEqualTo(200);
            assertThat(post(s, RECS, ids(List.of("4"), "\"k\":2")).statusCode()).isEqualTo(200);
            assertThat(post(s, RECS, "{\"ids\": []}").statusCode()).isEqualTo(400);
            assertThat(post(s, "/v1/features/item:batch", ids(List.of("a", "b"), "")).statusCode()).isEqualTo(200);
            assertThat(get(s, RECS).statusCode()).isEqualTo(405);
            // The GET routes' 405s are counted with their status too (they were counted as status 0).
            assertThat(send(HttpRequest.newBuilder(uri(s, "/v1/recommendations/1")).DELETE())
                    .statusCode()).isEqualTo(405);
            assertThat(send(HttpRequest.newBuilder(uri(s, "/health")).DELETE()).statusCode())
                    .isEqualTo(405);
            // A request is counted once its answer is handed to the socket, so the last one may not be yet: scrape
            // until it is, within a bound.
            URI scrape = URI.create("http://127.0.0.1:" + s.metricsPort() + "/metrics");
            String m = send(HttpRequest.newBuilder(scrape).GET()).body();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!m.contains("route=\"health\",status=\"405\"") && System.nanoTime() < deadline) {
                m = send(HttpRequest.newBuilder(scrape).GET()).body();
            }
            assertThat(m).contains("millrace_serving_batch_requests_total{route=\"recommendations_batch\"} 2.0")
                    .contains("millrace_serving_batch_ids_total{route=\"recommendations_batch\"} 4.0")
                    .contains("millrace_serving_batch_requests_total{route=\"features_batch\"} 1.0")
                    .contains("millrace_serving_batch_ids_total{route=\"features_batch\"} 2.0")
                    .contains("millrace_serving_requests_total{route=\"recommendations_batch\",status=\"200\"} 2.0")
                    .contains("millrace_serving_requests_total{route=\"recommendations_batch\",status=\"400\"} 1.0")
                    .contains("millrace_serving_requests_total{route=\"recommendations_batch\",status=\"405\"} 1.0")
                    .contains("millrace_serving_requests_total{route=\"recommendations\",status=\"405\"} 1.0")
                    .contains("millrace_serving_requests_total{route=\"health\",status=\"405\"} 1.0")
                    .doesNotContain("status=\"0\"")
                    .contains("millrace_serving_request_seconds_count{route=\"features_batch\"} 1")
                    // One fallback answer (the unknown user) in the first batch.
                    .contains("millrace_serving_fallback_total 1.0");
        }
    }

    @Test
    void aBatchComesFromOneVersionWhilePublishesFlip() throws Exception {
        try (OnlineStore flipping = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("flipping").toString()).mapSize(256L << 20).build());
             ServingServer s = ServingServer.start(flipping, ServingServerTest.settings(Optional.empty()))) {
            SoakPublisher publisher = new SoakPublisher(flipping);
            publisher.publishOnce();
            // Users of every version, users of even versions only (the fallback in odd ones), unknown users.
            List<String> users = new ArrayList<>();
            List<String> items = new ArrayList<>();
            for (int i = 1; i <= 13; i++) {
                users.add(SoakPopulation.user(i * 97));
                users.add(SoakPopulation.alternatingUser(i * 7));
                users.add("unknown-" + i);
                items.add(SoakPopulation.item(i * 31));
            }
            AtomicLong answered = new AtomicLong();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted() && failure.get() == null) {
                        checkOneVersion(s, users, items, failure);
                        answered.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failure.compareAndSet(null, e.toString());
                }
            }, "batch-reader");
            reader.start();
            try {
                for (int flip = 0; flip < 8 && failure.get() == null; flip++) {
                    publisher.publishOnce();
                    // Batches land after each flip before the next one: a resolved version stays readable across one
                    // flip (the store contract), and the fallback list is read from it.
                    long target = answered.get() + 3;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (answered.get() < target && failure.get() == null && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                }
            } finally {
                reader.interrupt();
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failure.get()).isNull();
            assertThat(publisher.flips()).isEqualTo(9);
            assertThat(answered.get()).isGreaterThanOrEqualTo(8 * 3);
        }
    }

    /** One recommendations batch and one features batch: every entry, and its content, from the batch's version. */
    private void checkOneVersion(ServingServer s, List<String> users, List<String> items, AtomicReference<String> failure)
            throws Exception {
        HttpResponse<String> r = post(s, RECS, ids(users, "\"k\":5"));
        if (r.statusCode() != 200) {
            failure.compareAndSet(null, "recommendations batch " + r.statusCode() + ": " + r.body());
            return;
        }
        JsonNode batch = JSON.readTree(r.body());
        long v = batch.get("version").asLong();
        for (int i = 0; i < users.size(); i++) {
            JsonNode a = batch.get("results").get(i);
            String user = users.get(i);
            boolean fallback = user.startsWith("unknown-") || (user.startsWith("alt-") && !SoakPopulation.holdsAlternating(v));
            boolean ok = a.get("user_id").asText().equals(user) && a.get("version").asLong() == v
                    && a.get("fallback").asBoolean() == fallback
                    && a.get("model_version").asText().equals(fallback ? SoakPopulation.POPULARITY_MODEL : SoakPopulation.modelVersion(v))
                    && a.get("items").size() == 5;
            for (JsonNode item : a.get("items")) {
                ok &= SoakPopulation.versionOfItem(item.get("item_id").asText()) == v
                        && SoakPopulation.versionOfScore(item.get("score").asDouble()) == v;
            }
            if (!ok) {
                failure.compareAndSet(null, "entry " + i + " of a batch of version " + v + ": " + a);
                return;
            }
        }
        HttpResponse<String> f = post(s, "/v1/features/item:batch", ids(items, ""));
        JsonNode fb = JSON.readTree(f.body());
        long fv = fb.path("version").asLong(-1);
        for (int i = 0; i < items.size() && f.statusCode() == 200; i++) {
            JsonNode a = fb.get("results").get(i);
            JsonNode row = a.path("features");
            if (a.path("version").asLong() != fv || row.path("soak_version").asLong() != fv
                    || row.path("clicks").asLong() != SoakPopulation.clicks(fv, items.get(i))) {
                failure.compareAndSet(null, "feature entry " + i + " of a batch of version " + fv + ": " + a);
                return;
            }
        }
        if (f.statusCode() != 200) {
            failure.compareAndSet(null, "features batch " + f.statusCode() + ": " + f.body());
        }
    }

    @Test
    void aRedisBackedServerAnswersBatchesLikeItsGets() throws Exception {
        try (OnlineStore rstore = OnlineStores.open(SharedRedis.freshSettings("batch"));
             ServingServer s = ServingServer.start(rstore, ServingServerTest.settings(Optional.empty()))) {
            assertJsonError(post(s, RECS, ids(List.of("1"), "")), 503, "not_ready");
            ServingServerTest.publishTwoVersions(rstore);
            List<String> users = List.of(SLASH_USER, "7", "nobody", UNICODE_USER, UUID_USER, LONGEST_USER);
            assertRecommendationsLikeGets(s, users, 2);
            JsonNode features = tree(post(s, "/v1/features/item:batch", ids(List.of("nope", "sku/7340 RED"), "")));
            assertThat(features.get("results").get(0).get("error").asText()).isEqualTo("not_found");
            assertThat(features.get("results").get(1))
                    .isEqualTo(JSON.readTree(get(s, "/v1/features/item/" + enc("sku/7340 RED")).body()));
            assertJsonError(post(s, RECS, "{\"ids\": [\"1\", \"1\"]}"), 400, "bad_request", "repeats");
        }
    }
}
