package dev.millrace.jobs.demo;

import dev.millrace.core.run.RunReport;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.publish.PublishResult;
import dev.millrace.featurestore.publish.Publisher;
import dev.millrace.featurestore.serving.ServingServer;
import dev.millrace.featurestore.serving.ServingSettings;
import dev.millrace.jobs.cli.JobContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The demo's last mile: publish the recommendations and features into the online store (the same {@link Publisher}
 * as {@code bin/millrace publish}), start the HTTP API on a local port, and ask it what a client would: three users'
 * recommendations, an unknown user (the popularity fallback) and a user's features, each printed with the
 * {@code curl} line that asks the same. With {@code keepServing} the server stays up until Ctrl-C.
 */
final class DemoServing {

    /**
     * The user the lake has never seen, for the popularity fallback: a UUID (a string key like any other, the shape
     * many feeds key users by), fixed so the demo prints the same line every run.
     */
    static final String UNKNOWN_USER = UUID.nameUUIDFromBytes("millrace demo: a user no feed has".getBytes(StandardCharsets.UTF_8))
            .toString();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JobContext ctx;
    private final DemoSteps steps;

    DemoServing(JobContext ctx, DemoSteps steps) {
        this.ctx = ctx;
        this.steps = steps;
    }

    void run(RunReport report, int port, boolean keepServing) throws IOException, InterruptedException {
        // With keepServing, Ctrl-C's shutdown hook waits (bounded) until the server and the store are closed here.
        CountDownLatch closed = new CountDownLatch(1);
        try {
            publishAndServe(report, port, keepServing, closed);
        } finally {
            closed.countDown();
        }
    }

    private void publishAndServe(RunReport report, int port, boolean keepServing, CountDownLatch closed)
            throws IOException, InterruptedException {
        SparkSession spark = ctx.spark();
        StoreSettings storeSettings = StoreSettings.from(ctx.config());
        steps.begin("publish: gold.recommendations, the popularity fallback and the features -> online store");
        try (OnlineStore store = OnlineStores.open(storeSettings)) {
            PublishResult published = Publisher.from(spark, ctx.config(), store).publish(false);
            steps.line(store.describe() + ": version " + published.pointer().current()
                    + (published.unchanged() ? " (unchanged: it already holds these table versions)"
                    : ", " + published.totalKeys() + " keys " + published.keys()));
            report.put("store_version", published.pointer().current());

            ServingSettings settings = ServingSettings.from(ctx.config()).withPort(port).withMetricsPort(0);
            try (ServingServer server = ServingServer.start(store, settings)) {
                String base = "http://" + settings.host() + ":" + server.port();
                steps.begin("serve: the HTTP API on " + base + " (bin/millrace serve runs it alone)");
                report.put("served_at", base);
                for (String path : paths(spark)) {
                    ask(base + path);
                }
                steps.end();
                if (keepServing) {
                    if (server.metricsPort() >= 0) {
                        steps.line("metrics: http://" + settings.metrics().host() + ":" + server.metricsPort() + "/metrics");
                    }
                    awaitInterrupt(base, closed);
                }
            }
        }
    }

    /**
     * Three users with recommendations, one user the lake has never seen, and the first user's features. Ids are
     * string keys, percent-encoded into the path (a SKU or account code may hold '/', spaces or any letter).
     */
    private static List<String> paths(SparkSession spark) {
        List<String> users = new ArrayList<>();
        // Three rows, not a collect of anything that grows: LIMIT bounds what reaches the driver.
        for (Row r : spark.sql("SELECT CAST(" + GoldTables.USER_ID + " AS STRING) FROM " + GoldTables.RECOMMENDATIONS.qualified()
                + " ORDER BY 1 LIMIT 3").collectAsList()) {
            users.add(r.getString(0));
        }
        List<String> paths = new ArrayList<>();
        users.forEach(u -> paths.add("/v1/recommendations/" + encode(u) + "?k=5"));
        paths.add("/v1/recommendations/" + encode(UNKNOWN_USER) + "?k=5");
        if (!users.isEmpty()) {
            paths.add("/v1/features/user/" + encode(users.get(0)));
        }
        return paths;
    }

    /** One path segment, percent-encoded as UTF-8 (a space as %20, a '/' as %2F). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void ask(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        steps.line("$ curl -s '" + url + "'");
        steps.line("  HTTP " + response.statusCode() + " " + response.body().strip());
    }

    private void awaitInterrupt(String base, CountDownLatch closed) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-serve-stop"));
        steps.out().println();
        steps.out().println("Serving on " + base + " until Ctrl-C. Try: curl -s '" + base + "/v1/recommendations/1'");
        steps.out().flush();
        stopped.await();
    }
}
