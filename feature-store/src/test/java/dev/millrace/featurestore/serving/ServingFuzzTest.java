package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of random requests at a running server (random methods, paths, ids, escapes, query strings, headers and
 * bodies, random JSON for the batch routes, over raw sockets so that nothing is cleaned up on the way): never a 5xx, every answer from our handlers is
 * JSON, and the server still answers afterwards. The only answers that are not JSON are Undertow's own refusals of
 * requests that are not HTTP (a malformed escape, a broken request line): a 400 with an empty body that closes the
 * connection, before any handler runs (docs/serving.md). The seed is printed so that a failure can be replayed.
 */
class ServingFuzzTest {

    private static final int REQUESTS = 3000;
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String[] METHODS = {"GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
            "TRACE", "CONNECT", "FOO", "get"};
    private static final String[] PREFIXES = {"/v1/recommendations/", "/v1/features/user/", "/v1/features/item/",
            "/v1/features/", "/v1/admin/rollback", "/health", "/ready", "/metrics", "/", "/v1/", "/v2/recommendations/",
            "//v1/recommendations/", "/v1/recommendations/../", "/v1/features/user_item/", "/v1/recommendations:batch",
            "/v1/features/user:batch", "/v1/features/item:batch", "/v1/features/:batch"};
    /** Pieces of batch bodies: valid JSON now and then, mostly not. */
    private static final String[] JSON_PIECES = {"{", "}", "[", "]", ",", ":", "\"ids\"", "\"k\"", "\"x\"", "\"1\"",
            "\"7\"", "\"acct/7340-RED\"", "\"\\ud800\"", "\"\\u0000\"", "\" a\"", "\"\"", "5", "0", "-1", "2.5", "1e3",
            "99999999999999999999999", "null", "true", "\"ü 商品 🎬\"", "\"" + "k".repeat(129) + "\"", " ", "\n", "\"\\\"", "/*"};
    private static final String[] PIECES = {"1", "7", "42", "%2F", "%20", "%", "%zz", "%4", "%C3%BC", "%FF", "%00",
            "%0A", "..", ".", "a/b", "ü", "商品", "🎬", " ", "+", "'", "\"", "<script>", "?", "#", ";", "k=", "\\", "*",
            "k".repeat(200), "9".repeat(129), "SKU-7340-RED", "3f2c9a4e-8b1d-4c7a-9e2f-1a2b3c4d5e6f"};
    private static final String[] QUERIES = {"", "?k=5", "?k=0", "?k=-1", "?k=101", "?k=1&k=2", "?k=%35", "?k=%zz",
            "?x=1", "?", "?&", "?k", "?k=1e3", "?k=" + "9".repeat(30), "?" + "a=1&".repeat(40)};

    @TempDir
    static Path temp;

    @Test
    void randomRequestsNeverGetA5xxAndEveryHandlerAnswerIsJson() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("ServingFuzzTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (OnlineStore store = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("store").toString()).mapSize(64L << 20).build())) {
            ServingServerTest.publishTwoVersions(store);
            try (ServingServer server = ServingServer.start(store, ServingServerTest.settings(
                    Optional.of("fuzz-admin-token-0123456789")))) {
                long deadline = System.nanoTime() + BOUND.toNanos();
                int sent = 0;
                int protocolRefusals = 0;
                int unanswered = 0;
                List<Integer> statuses = new ArrayList<>();
                while (sent < REQUESTS && System.nanoTime() < deadline) {
                    byte[] request = request(random);
                    String text = new String(request, StandardCharsets.UTF_8);
                    // A chunked batch body that ends when the client closes its side: Undertow closes the connection
                    // while the handler reads it, so there is no one left to answer (docs/serving.md).
                    boolean mayGoUnanswered = text.startsWith("POST ") && text.contains(":batch")
                            && text.contains("Transfer-Encoding: chunked");
                    Response r = exchange(server.port(), request, mayGoUnanswered);
                    sent++;
                    if (r == null) {
                        unanswered++;
                        continue;
                    }
                    String what = "request " + sent + " (seed " + seed + "): " + text.replace("\r\n", "\\r\\n");
                    assertThat(r.status()).as(what).isBetween(200, 499);
                    statuses.add(r.status());
                    if (r.body().isEmpty()) {
                        // HEAD answers carry no body; otherwise only Undertow's own refusals are empty (400, closed).
                        if (!r.method().equals("HEAD")) {
                            assertThat(r.status()).as(what + " -> " + r.raw()).isEqualTo(400);
                            assertThat(r.head()).as(what).contains("Connection: close");
                            protocolRefusals++;
                        }
                    } else if (r.status() >= 400) {
                        assertThat(r.contentType()).as(what + " -> " + r.raw()).startsWith("application/json");
                        assertThat(r.body()).as(what).startsWith("{\"error\":\"");
                    }
                }
                System.out.printf(Locale.ROOT, "ServingFuzzTest: %d requests, %d 2xx, %d 4xx, %d protocol-level 400s,"
                        + " %d chunked batch bodies cut short (unanswered)%n", sent, statuses.stream().filter(s -> s < 300).count(),
                        statuses.stream().filter(s -> s >= 400).count(), protocolRefusals, unanswered);
                assertThat(sent).isGreaterThanOrEqualTo(500);
                assertThat(statuses).contains(200).anyMatch(s -> s >= 400);
                // Still serving.
                Response health = exchange(server.port(),
                        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
                assertThat(health.status()).isEqualTo(200);
            }
        }
    }

    private static byte[] request(Random random) {
        if (random.nextInt(10) == 0) {
            // A well-formed batch now and then.
            StringBuilder ids = new StringBuilder();
            int n = 1 + random.nextInt(10);
            for (int i = 0; i < n; i++) {
                ids.append(i > 0 ? "," : "").append('"').append(i).append(random.nextBoolean() ? "" : "-x").append('"');
            }
            boolean recs = random.nextBoolean();
            String body = "{\"ids\":[" + ids + "]" + (recs && random.nextBoolean() ? ",\"k\":" + (1 + random.nextInt(50)) : "") + "}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            return ("POST " + (recs ? "/v1/recommendations:batch" : "/v1/features/user:batch") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8);
        }
        if (random.nextInt(10) < 3) {
            // A well-formed request now and then, so the answering paths are exercised between the hostile ones.
            String path = random.nextBoolean() ? "/v1/recommendations/" + (1 + random.nextInt(25)) + "?k=" + (1 + random.nextInt(50))
                    : "/v1/features/user/" + (1 + random.nextInt(25));
            return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String prefix = PREFIXES[random.nextInt(PREFIXES.length)];
        boolean batch = prefix.endsWith(":batch");
        // The batch paths mostly get their own method, and mostly stay themselves.
        String method = batch && random.nextInt(3) > 0 ? "POST" : METHODS[random.nextInt(METHODS.length)];
        StringBuilder target = new StringBuilder(prefix);
        int pieces = batch && random.nextBoolean() ? 0 : random.nextInt(4);
        for (int i = 0; i < pieces; i++) {
            target.append(PIECES[random.nextInt(PIECES.length)]);
        }
        target.append(QUERIES[random.nextInt(QUERIES.length)]);
        byte[] t = target.toString().getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(20) == 0) {
            t[random.nextInt(t.length)] = (byte) random.nextInt(256); // any byte at all, now and then
        }
        write(out, method + " ");
        out.writeBytes(t);
        write(out, random.nextInt(30) == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        write(out, "Host: 127.0.0.1\r\nConnection: close\r\n");
        int headers = random.nextInt(4);
        for (int i = 0; i < headers; i++) {
            switch (random.nextInt(6)) {
                case 0 -> write(out, "Authorization: Bearer " + (random.nextBoolean() ? "fuzz-admin-token-0123456789" : "x") + "\r\n");
                case 1 -> write(out, "Accept: " + "a".repeat(random.nextInt(3000)) + "\r\n");
                case 2 -> write(out, "X-" + random.nextInt(1000) + ": " + PIECES[random.nextInt(PIECES.length)] + "\r\n");
                case 3 -> write(out, "Content-Type: application/json\r\n");
                case 4 -> write(out, "Transfer-Encoding: chunked\r\n");
                default -> write(out, "If-None-Match: *\r\n");
            }
        }
        if (random.nextInt(batch ? 2 : 4) == 0) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            if (random.nextBoolean()) {
                StringBuilder json = new StringBuilder();
                for (int i = random.nextInt(30); i > 0; i--) {
                    json.append(JSON_PIECES[random.nextInt(JSON_PIECES.length)]);
                }
                body = json.toString().getBytes(StandardCharsets.UTF_8);
            }
            write(out, "Content-Length: " + body.length + "\r\n\r\n");
            out.writeBytes(body);
        } else {
            write(out, "\r\n");
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private record Response(String method, String head, int status, String contentType, String body, String raw) {
    }

    private static Response exchange(int port, byte[] request, boolean mayGoUnanswered) throws IOException {
        String method = new String(request, 0, Math.min(request.length, 8), StandardCharsets.US_ASCII).split(" ")[0];
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream os = socket.getOutputStream();
            try {
                os.write(request);
                os.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server may answer and close before the whole request is written (an oversized one): read it.
            }
            byte[] bytes = readAll(socket.getInputStream());
            if (bytes.length == 0 && mayGoUnanswered) {
                return null;
            }
            String raw = new String(bytes, StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            assertThat(end).as("a complete HTTP response to " + new String(request, StandardCharsets.UTF_8) + ": " + raw)
                    .isPositive();
            String head = raw.substring(0, end);
            String[] statusLine = head.split("\r\n")[0].split(" ");
            String contentType = "";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                }
            }
            return new Response(method, head, Integer.parseInt(statusLine[1]), contentType, raw.substring(end + 4), raw);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no end of the response within 10 s", e);
        } catch (IOException e) {
            // a reset after the answer: keep what arrived
        }
        return out.toByteArray();
    }
}
