package dev.millrace.jobs.crash;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.faults.KillPoints;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.Main;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash harness: every batch job, in pipeline order on one small generated lake, is run once cleanly through
 * {@code bin/millrace} as a child process (listing its kill points), and then, from a copy of the lake as it was
 * before the job, run again as a child that is killed with SIGKILL at a kill point ({@link KillPoints}: after a
 * Delta commit, a model-registry write, an online-store write or a published file), re-run to completion (a fresh child, as a scheduler's retry is), and
 * compared with the clean run: every table's row checksum, every registry and export file, and the serving store
 * ({@link LakeState}). A job passes when every crash, once re-run, leaves what the clean run left.
 *
 * <p>Which points: {@code -Dmillrace.crash.points=quick} (the default, {@code bin/test}'s) crashes train once after it
 * registered its version and score once between its two tables ({@link #QUICK}), with the jobs before them run in this
 * JVM only to build the lake: 367 s within a whole bin/test run on 2 cores, what CI's 30 minutes leave. {@code sample}
 * ({@code bin/test --e2e}) crashes every job at the first point of each kind and at its last point; {@code all} at
 * every point and at two seeded random moments inside the job's writes. The children run the launcher's class path, so
 * {@code mvn package} must have run ({@code bin/test} does).
 */
@Tag("crash")
class CrashHarnessTest {

    static final String DATE = "2024-12-31";
    static final String MODE = System.getProperty("millrace.crash.points", "quick");
    /**
     * The quick mode's crashes (the default run's): each job with the kind of point it is killed at first. train
     * after it registered its version and before its factor tables, score between its two tables: the two crashes whose
     * re-runs trusted what the dead run left, before train and score had one commit point each.
     */
    static final Map<String, String> QUICK = Map.of("train", "registry", "score", "delta-commit");
    /**
     * Which jobs are crashed (-Dmillrace.crash.jobs, comma-separated; default QUICK's in the quick mode, else all). The
     * others before them run cleanly in this JVM, only to build their lake; the jobs after the last one do not run.
     */
    static final Set<String> CRASHED = Optional.ofNullable(System.getProperty("millrace.crash.jobs"))
            .map(p -> Set.of(p.split(",")))
            .orElse(MODE.equals("quick") ? QUICK.keySet() : jobs("").keySet());

    static SparkSession spark;
    static MillraceConfig config;
    static Path repo;
    static Path work;
    static Path clean;
    static Path conf;
    static Path childLog;

    @BeforeAll
    static void generate() throws IOException {
        spark = SharedSpark.session();
        repo = Path.of("..").toAbsolutePath().normalize();
        assertThat(repo.resolve("jobs/target/local-classpath.txt"))
                .as("the children run bin/millrace, whose class path mvn package writes (bin/test runs it first)")
                .exists();
        work = SharedSpark.newLakeDir("crash");
        clean = work.resolve("clean");
        childLog = work.resolve("children.log");
        // The same Spark settings as this JVM's shared session, so a child and an in-JVM re-run plan alike.
        conf = work.resolve("crash.conf");
        Files.writeString(conf, String.join("\n",
                "millrace.spark.master = \"local[2]\"",
                "millrace.spark.conf { \"spark.sql.shuffle.partitions\" = \"4\", \"spark.ui.enabled\" = \"false\",",
                "  \"spark.driver.host\" = \"127.0.0.1\", \"spark.driver.bindAddress\" = \"127.0.0.1\" }",
                "millrace.lake.buckets = 4",
                "millrace.features.snapshot-interval = 61d",
                "millrace.training.als { rank = 8, max-iter = 5 }",
                "millrace.training.ranker { epochs = 2, popular-candidates = 10 }",
                "millrace.evaluate { first-must-beat-baselines = false, candidates = 30 }",
                "millrace.score.candidates = 30",
                ""));
        config = MillraceConfig.load(Optional.of(conf.toFile()), Map.of("millrace.lake.root", clean.toString()));
        assertThat(Main.run("generate", "--out", work.resolve("data").toString(),
                "--users", "200", "--items", "150", "--events", "4000", "--seed", "3", "--bad-fraction", "0.005",
                "--from", "2024-01-01T00:00:00Z", "--to", "2024-12-31T23:59:59Z")).isEqualTo(ExitCodes.OK);
    }

    /** The batch jobs in pipeline order, each with its arguments (without --conf and --lake), under {@code work}. */
    static Map<String, List<String>> jobs(String work) {
        Path data = Path.of(work, "data");
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        jobs.put("ingest", List.of("ingest", "--source", data.toString(), "--format", "movielens"));
        jobs.put("features", List.of("features", "--from", "2024-06-30", "--to", DATE));
        jobs.put("training-set", List.of("training-set", "--from", "2024-08-01"));
        jobs.put("export-training", List.of("export-training", "--date", DATE, "--shards", "2"));
        jobs.put("train", List.of("train", "--date", DATE));
        jobs.put("evaluate", List.of("evaluate", "--date", DATE));
        jobs.put("score", List.of("score", "--date", DATE));
        jobs.put("publish", List.of("publish"));
        jobs.put("maintain", List.of("maintain", "--table", "silver.ratings"));
        return jobs;
    }

    @TestFactory
    Stream<DynamicTest> everyJobSurvivesSigkillAtItsKillPoints() {
        List<Map.Entry<String, List<String>>> run = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : jobs(work.toString()).entrySet()) {
            if (run.stream().map(Map.Entry::getKey).filter(CRASHED::contains).count() == CRASHED.size()) {
                break;
            }
            run.add(e);
        }
        return run.stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> crash(e.getKey(), e.getValue())));
    }

    private static void crash(String job, List<String> args) throws IOException {
        if (!CRASHED.contains(job)) {
            assertThat(Main.run(withLake(args, clean))).as(job + " (not crashed, run to build the lake)")
                    .isEqualTo(ExitCodes.OK);
            return;
        }
        Path before = work.resolve("before-" + job);
        copy(clean, before);
        KilledRun children = new KilledRun(repo, childLog);
        long started = System.nanoTime();
        KilledRun.Outcome cleanRun = children.toCompletion(List.of(withLake(args, clean)));
        long cleanMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(cleanRun.exit()).as(job + " clean run: " + String.join("\n", cleanRun.tail()))
                .isEqualTo(ExitCodes.OK);
        LakeState expected = LakeState.of(spark, config, clean);
        List<String> points = cleanRun.points();
        System.out.printf("crash harness: %s has %d kill points (clean run %d ms): %s%n", job, points.size(), cleanMs,
                points);
        assertThat(points).as(job + " reaches at least one kill point").isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (int n : selected(job, points)) {
            KilledRun.Outcome o = crashed(job, args, before, l -> children.atPoint(n, l));
            check(job, "point " + n + " (" + points.get(n - 1) + ")", o, children, args, expected, failures);
        }
        if (MODE.equals("all")) {
            Random random = new Random(job.hashCode());
            for (int i = 0; i < 2; i++) {
                long delay = (long) (random.nextDouble() * cleanMs);
                KilledRun.Outcome o = crashed(job, args, before, l -> children.afterFirstWrite(delay, l));
                check(job, "random moment +" + delay + " ms", o, children, args, expected, failures);
            }
        }
        deleteTree(before);
        assertThat(failures).as(job + ": a crash then a re-run must leave what a clean run leaves (children's output: "
                + childLog + ")").isEmpty();
    }

    /**
     * The first point of the job's QUICK kind (quick), the first point of each kind and the last one (sample), or every
     * point (all); 1-based, as the child counts.
     */
    static TreeSet<Integer> selected(String job, List<String> points) {
        TreeSet<Integer> out = new TreeSet<>();
        if (MODE.equals("quick") && QUICK.containsKey(job)) {
            for (int i = 0; i < points.size(); i++) {
                if (points.get(i).startsWith(QUICK.get(job) + " ")) {
                    out.add(i + 1);
                    return out;
                }
            }
            throw new AssertionError(job + " has no " + QUICK.get(job) + " kill point: " + points);
        }
        if (MODE.equals("all")) {
            for (int i = 1; i <= points.size(); i++) {
                out.add(i);
            }
            return out;
        }
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            first.putIfAbsent(points.get(i).split(" ", 2)[0], i + 1);
        }
        out.addAll(first.values());
        out.add(points.size());
        return out;
    }

    private static Path crashLake(String job) {
        return work.resolve("crashed-" + job);
    }

    private static KilledRun.Outcome crashed(String job, List<String> args, Path before,
                                             java.util.function.Function<List<String>, KilledRun.Outcome> run)
            throws IOException {
        Path lake = crashLake(job);
        deleteTree(lake);
        copy(before, lake);
        return run.apply(List.of(withLake(args, lake)));
    }

    private static void check(String job, String where, KilledRun.Outcome o, KilledRun children, List<String> args,
                              LakeState expected, List<String> failures) throws IOException {
        Path lake = crashLake(job);
        String what = job + " killed at " + where;
        if (o.exit() != KilledRun.SIGKILLED) {
            // A random moment may fall after the job's end: then it is a clean run, still compared below.
            if (o.exit() != 0 || !where.startsWith("random")) {
                failures.add(what + ": the child exited " + o.exit() + ", not by SIGKILL; its last lines: "
                        + String.join("\n  ", o.tail()));
                return;
            }
        }
        KilledRun.Outcome rerun = children.toCompletion(List.of(withLake(args, lake)));
        int code = rerun.exit();
        List<String> diff = code == ExitCodes.OK ? expected.differences(LakeState.of(spark, config, lake)) : List.of();
        System.out.printf("crash harness: %s (%s): %s%n", what, o.killedAt().orElse("no kill line"),
                code != ExitCodes.OK ? "re-run exited " + code
                        : diff.isEmpty() ? "re-run equals the clean run"
                        : diff.size() + " differences, first " + diff.subList(0, Math.min(3, diff.size())));
        if (code != ExitCodes.OK) {
            failures.add(what + ": the re-run exited " + code + "; its last lines: " + String.join("\n  ", rerun.tail()));
        } else if (!diff.isEmpty()) {
            failures.add(what + ", then re-run, differs from the clean run in " + String.join("; ", diff));
        }
        if (code == ExitCodes.OK && diff.isEmpty()) {
            deleteTree(lake);
        } else {
            // Kept for a look: the lake as the re-run left it.
            Files.move(lake, work.resolve("failed-" + job + "-" + where.replaceAll("[^A-Za-z0-9]+", "-")));
        }
    }

    private static String[] withLake(List<String> args, Path lake) {
        List<String> all = new ArrayList<>(args);
        all.add(1, "--conf");
        all.add(2, conf.toString());
        all.add(3, "--lake");
        all.add(4, lake.toString());
        return all.toArray(String[]::new);
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            Files.createDirectories(to);
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
