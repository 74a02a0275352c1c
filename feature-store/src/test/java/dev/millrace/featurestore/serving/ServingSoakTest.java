package dev.millrace.featurestore.serving;

import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP soak of issue 16: a real server on the embedded store under ten minutes of paced load (a mix of valid
 * recommendations and features, unknown users and ids, ids that break the key rule, bad k values, /health, /ready)
 * while a publisher writes a full new version and flips to it every 30 seconds, then removes the old ones, as
 * {@code publish.Publisher} does, so reads race both the flip and the removal. It must end with no 5xx, every answer
 * JSON (refusals with their error code), no answer mixing two versions or coming from one outside the window its
 * request ran in (the {@link SoakPopulation} writes the version into every item, score and feature row), at least
 * most of the planned requests answered (a stalled server fails), and the JVM's heap after collection back within a
 * margin of its level after the warm-up (the server runs in this JVM).
 *
 * <p>Tagged {@code soak}: the default run ({@code bin/test}, CI's 30 minutes on 2 cores) leaves it out;
 * {@code bin/test --soak} runs it alone. {@code -Dsoak.duration=PT45S} makes a quick local check; {@code soak.flip},
 * {@code soak.rate} (requests a second), {@code soak.clients}, {@code soak.warmup} and {@code soak.seed} (the request
 * mix, printed) can be set too.
 */
@Tag("soak")
class ServingSoakTest {

    /** Heap growth allowed over the warm-up level: the larger of this and {@link #HEAP_MARGIN_FRACTION} of it. */
    private static final long HEAP_MARGIN_BYTES = 32 * HeapAfterGc.MIB;
    private static final double HEAP_MARGIN_FRACTION = 0.25;
    /** The share of the planned requests that must be answered. */
    private static final double ANSWERED_SHARE = 0.8;

    @TempDir
    static Path temp;

    @Test
    void pacedLoadWhilePublishesFlipVersionsEndsClean() throws Exception {
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT10M"));
        Duration flipEvery = Duration.parse(System.getProperty("soak.flip", "PT30S"));
        Duration warmUp = Duration.parse(System.getProperty("soak.warmup", "PT20S"));
        int rate = Integer.getInteger("soak.rate", 250);
        int clients = Integer.getInteger("soak.clients", 4);
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.printf(Locale.ROOT, "ServingSoakTest: %s at %d req/s from %d clients, a publish every %s, warm-up %s,"
                + " seed %d (replay the mix with -Dsoak.seed=%d)%n", duration, rate, clients, flipEvery, warmUp, seed, seed);

        try (OnlineStore store = OnlineStores.open(StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                .embeddedPath(temp.resolve("store").toString()).mapSize(256L << 20).build())) {
            SoakPublisher publisher = new SoakPublisher(store);
            publisher.publishOnce();
            try (ServingServer server = ServingServer.start(store, ServingServerTest.settings(Optional.empty()))) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();

                // Warm-up: two more versions fill the store's three slots (every database handle the soak will use
                // exists from here on) and the load runs long enough for the JIT and the pools to settle, so that
                // the heap measured next is the level the server keeps.
                publisher.publishOnce();
                publisher.publishOnce();
                SoakTally warmTally = new SoakTally();
                SoakLoad.Result warm = new SoakLoad(http, server.port(), publisher, warmTally, clients, rate, seed)
                        .run(warmUp);
                HeapAfterGc.Reading heapStart = HeapAfterGc.measure();
                long flipsBefore = publisher.flips();
                long removedBefore = publisher.removedVersions();

                SoakTally tally = new SoakTally();
                AtomicReference<Throwable> publishFailure = new AtomicReference<>();
                long soakStart = System.nanoTime();
                ScheduledExecutorService flipper = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "soak-publisher");
                    t.setDaemon(true);
                    return t;
                });
                flipper.scheduleAtFixedRate(() -> {
                    try {
                        SoakPublisher.Outcome o = publisher.publishOnce();
                        System.out.printf(Locale.ROOT, "ServingSoakTest: %4.0f s  flipped to version %d in %.2f s"
                                        + " (removed %s); %d answers so far, %d problems%n",
                                (System.nanoTime() - soakStart) / 1e9, o.pointer().current(), o.seconds(), o.removed(),
                                tally.answers(), tally.problems());
                    } catch (Throwable e) {
                        publishFailure.compareAndSet(null, e);
                    }
                }, flipEvery.toMillis(), flipEvery.toMillis(), TimeUnit.MILLISECONDS);
                SoakLoad.Result load;
                try {
                    load = new SoakLoad(http, server.port(), publisher, tally, clients, rate, seed + 1).run(duration);
                } finally {
                    // shutdown(), not shutdownNow(): an interrupt would close the publish lock's file channel under a
                    // publish in progress. Periodic runs not yet started are cancelled by shutdown().
                    flipper.shutdown();
                }
                assertThat(flipper.awaitTermination(60, TimeUnit.SECONDS)).as("the publisher finished").isTrue();
                long flips = publisher.flips() - flipsBefore;

                HeapAfterGc.Reading heapEnd = HeapAfterGc.measure();
                long heapLimit = heapStart.usedBytes()
                        + Math.max(HEAP_MARGIN_BYTES, (long) (heapStart.usedBytes() * HEAP_MARGIN_FRACTION));

                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/health")).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());

                NavigableMap<Long, Long> versions = tally.byVersion();
                StringBuilder summary = new StringBuilder("ServingSoakTest summary\n");
                summary.append(String.format(Locale.ROOT, "  warm-up:  %d answers of %d planned in %.1f s, %d problems%n",
                        warm.answered(), warm.planned(), warm.seconds(), warmTally.problems()));
                summary.append(String.format(Locale.ROOT, "  soak:     %s, %d requests sent, %d answered of %d planned"
                                + " (%.1f%%) in %.1f s: %.1f req/s (target %d)%n", duration, load.sent(), load.answered(),
                        load.planned(), 100.0 * load.answered() / load.planned(), load.seconds(), load.rate(), rate));
                summary.append(String.format(Locale.ROOT, "  statuses: 2xx %d, 4xx %d, 5xx %d; by code %s%n",
                        tally.statuses(200, 300), tally.statuses(400, 500), tally.statuses(500, 600), tally.byStatus()));
                summary.append("  problems: ");
                tally.byProblem().forEach((p, n) -> summary.append(p.label).append(' ').append(n).append(", "));
                summary.setLength(summary.length() - 2);
                // With quick flips (-Dsoak.flip=PT0.3S) there are hundreds of versions: only their range then.
                String byVersion = versions.size() <= 30 ? versions.toString() : versions.size() + " versions, "
                        + versions.firstKey() + ".." + versions.lastKey();
                summary.append(String.format(Locale.ROOT, "%n  flips:    %d during the soak (%d in all, every %s),"
                                + " %d old versions removed; answers by version %s%n", flips, publisher.flips(), flipEvery,
                        publisher.removedVersions() - removedBefore, byVersion));
                summary.append(String.format(Locale.ROOT, "  heap:     %.1f MiB after warm-up (%d GCs), %.1f MiB after"
                                + " the soak (%d GCs), limit %.1f MiB, max %.0f MiB%n", heapStart.mib(), heapStart.rounds(),
                        heapEnd.mib(), heapEnd.rounds(), heapLimit / (double) HeapAfterGc.MIB,
                        Runtime.getRuntime().maxMemory() / (double) HeapAfterGc.MIB));
                for (String example : tally.examples()) {
                    summary.append("  example:  ").append(example).append('\n');
                }
                for (String example : warmTally.examples()) {
                    summary.append("  warm-up example: ").append(example).append('\n');
                }
                System.out.print(summary);

                assertThat(publishFailure.get()).as("a publish failed").isNull();
                assertThat(warmTally.problems()).as(summary.toString()).isZero();
                assertThat(tally.statuses(500, 600)).as("5xx answers\n" + summary).isZero();
                for (Map.Entry<SoakAnswerCheck.Problem, Long> p : tally.byProblem().entrySet()) {
                    assertThat(p.getValue()).as(p.getKey().label + " answers\n" + summary).isZero();
                }
                assertThat(load.answered()).as("answers (a stalled server falls short)\n" + summary)
                        .isGreaterThanOrEqualTo((long) (load.planned() * ANSWERED_SHARE));
                assertThat(flips).as("flips during the soak")
                        .isGreaterThanOrEqualTo(Math.max(1, duration.toMillis() / flipEvery.toMillis() - 1));
                // The load saw the flips: answers came from more than one version.
                assertThat(versions).as("answers by version").hasSizeGreaterThan(1);
                assertThat(heapEnd.usedBytes()).as("heap after the soak\n" + summary).isLessThanOrEqualTo(heapLimit);
                assertThat(health.statusCode()).as("still serving").isEqualTo(200);
                // The client's connections are part of the heap measured at the start: keep them alive to the end.
                Reference.reachabilityFence(http);
            }
        }
    }
}
