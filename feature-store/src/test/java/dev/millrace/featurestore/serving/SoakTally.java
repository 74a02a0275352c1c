package dev.millrace.featurestore.serving;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's counts, shared by the client threads: answers by status, problems by kind with the first few examples,
 * and the versions answers came from. Bounded whatever the duration (counters, not per-request records), so that the
 * tally itself does not grow the heap the test measures.
 */
final class SoakTally {

    private static final int EXAMPLES = 20;

    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<SoakAnswerCheck.Problem, LongAdder> problems = new ConcurrentHashMap<>();
    private final Map<Long, LongAdder> versions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
    private final AtomicInteger exampleCount = new AtomicInteger();
    private final LongAdder answers = new LongAdder();

    void answer(int status) {
        answers.increment();
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void version(long version) {
        versions.computeIfAbsent(version, v -> new LongAdder()).increment();
    }

    void problem(SoakAnswerCheck.Finding finding) {
        problems.computeIfAbsent(finding.problem(), p -> new LongAdder()).increment();
        if (exampleCount.getAndIncrement() < EXAMPLES) {
            examples.add(finding.problem().label + ": " + finding.detail());
        }
    }

    long answers() {
        return answers.sum();
    }

    long problems(SoakAnswerCheck.Problem problem) {
        LongAdder n = problems.get(problem);
        return n == null ? 0 : n.sum();
    }

    long problems() {
        return problems.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Answers with a status in {@code [from, to)}. */
    long statuses(int from, int to) {
        return statuses.entrySet().stream().filter(e -> e.getKey() >= from && e.getKey() < to)
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    Map<Integer, Long> byStatus() {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((s, n) -> out.put(s, n.sum()));
        return out;
    }

    NavigableMap<Long, Long> byVersion() {
        NavigableMap<Long, Long> out = new TreeMap<>();
        versions.forEach((v, n) -> out.put(v, n.sum()));
        return out;
    }

    Map<SoakAnswerCheck.Problem, Long> byProblem() {
        Map<SoakAnswerCheck.Problem, Long> out = new EnumMap<>(SoakAnswerCheck.Problem.class);
        for (SoakAnswerCheck.Problem p : SoakAnswerCheck.Problem.values()) {
            out.put(p, problems(p));
        }
        return out;
    }

    List<String> examples() {
        return List.copyOf(examples);
    }
}
