package dev.millrace.featurestore.serving;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Paced HTTP load on a running server from a few client threads, every answer checked by {@link SoakAnswerCheck} and
 * counted in a {@link SoakTally}. The rate is fixed: the threads share one schedule of {@code rate} slots a second,
 * each thread taking every n-th slot and parking until it is due. A thread more than one of its periods late skips the
 * slots it missed rather than bursting to catch up, so a server that stalls shows as answers well short of the plan.
 */
final class SoakLoad {

    /** How much of the plan one run achieved. */
    record Result(long planned, long sent, long answered, double seconds) {
        /** Answers a second. */
        double rate() {
            return answered / seconds;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long after its end a run may take to finish its last requests (each bounded by REQUEST_TIMEOUT). */
    private static final Duration JOIN_GRACE = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String base;
    private final SoakPublisher publisher;
    private final SoakTally tally;
    private final int clients;
    private final int rate;
    private final SplittableRandom random;

    SoakLoad(HttpClient http, int port, SoakPublisher publisher, SoakTally tally, int clients, int rate, long seed) {
        if (clients < 1 || rate < clients) {
            throw new IllegalArgumentException("need at least one client and one request a second per client");
        }
        this.http = http;
        this.base = "http://127.0.0.1:" + port;
        this.publisher = publisher;
        this.tally = tally;
        this.clients = clients;
        this.rate = rate;
        this.random = new SplittableRandom(seed);
    }

    /** Runs the load for a duration and returns once every client thread has finished. */
    Result run(Duration duration) throws InterruptedException {
        long spacing = 1_000_000_000L / rate;
        long period = spacing * clients;
        // A little ahead, so that starting the threads does not make the first slots late.
        long start = System.nanoTime() + 50_000_000L;
        long end = start + duration.toNanos();
        LongAdder sent = new LongAdder();
        LongAdder answered = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long planned = 0;
        for (int c = 0; c < clients; c++) {
            long first = start + c * spacing;
            planned += (end - first + period - 1) / period;
            SplittableRandom own = random.split();
            Thread t = new Thread(() -> {
                try {
                    paced(first, end, period, own, sent, answered);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "soak-client-" + c);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        long joinBy = end + JOIN_GRACE.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (joinBy - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " still running " + JOIN_GRACE + " after the load's end");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a soak client failed", failure.get());
        }
        return new Result(planned, sent.sum(), answered.sum(), (System.nanoTime() - start) / 1e9);
    }

    private void paced(long first, long end, long period, SplittableRandom random, LongAdder sent,
                       LongAdder answered) {
        long slot = first;
        while (slot < end) {
            long late = System.nanoTime() - slot;
            if (late < 0) {
                // Pacing, not waiting on a condition: park until the slot is due (parkNanos may return early).
                LockSupport.parkNanos(-late);
                continue;
            }
            if (late > period) {
                slot += (late / period) * period;
                if (slot >= end) {
                    break;
                }
            }
            sent.increment();
            if (exchange(SoakRequest.random(random))) {
                answered.increment();
            }
            slot += period;
        }
    }

    /** Sends one request and checks its answer; false when no answer came. */
    private boolean exchange(SoakRequest request) {
        HttpRequest httpRequest = HttpRequest.newBuilder(URI.create(base + request.path()))
                .timeout(REQUEST_TIMEOUT)
                .method(request.method(), HttpRequest.BodyPublishers.noBody())
                .build();
        long floor = publisher.flipped();
        HttpResponse<String> response;
        try {
            response = http.send(httpRequest, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            tally.problem(new SoakAnswerCheck.Finding(SoakAnswerCheck.Problem.NO_ANSWER,
                    request.method() + " " + request.path() + ": " + e));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        long ceiling = publisher.announced();
        tally.answer(response.statusCode());
        SoakAnswerCheck.Result result = SoakAnswerCheck.check(request, response.statusCode(),
                response.headers().firstValue("content-type").orElse(""), response.body(), floor, ceiling);
        if (result.version() >= 0) {
            tally.version(result.version());
        }
        result.finding().ifPresent(tally::problem);
        return true;
    }
}
