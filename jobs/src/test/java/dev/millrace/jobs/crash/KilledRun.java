package dev.millrace.jobs.crash;

import dev.millrace.core.faults.KillPoints;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One command run through {@code bin/millrace} as a child process that dies of SIGKILL: either at its N-th kill
 * point ({@link KillPoints}: the child signals itself), or a given time after its first durable write (the harness
 * sends the signal, {@link Process#destroyForcibly()}, which is SIGKILL on Linux). C1 only and a 1 GB heap: the
 * child's work is small, and its start-up is most of its cost.
 */
final class KilledRun {

    /** Exit status of a process killed by signal 9. */
    static final int SIGKILLED = 128 + 9;

    private final Path repo;
    private final Path log;

    KilledRun(Path repo, Path log) {
        this.repo = repo;
        this.log = log;
    }

    /** What happened to one child: its exit status, the kill point it died at (if any) and its last output lines. */
    record Outcome(int exit, Optional<String> killedAt, List<String> tail, List<String> points) {
    }

    /**
     * Runs {@code args} to its end, listing its kill points ("kind what", in order). Clean runs and re-runs are
     * children too, fresh JVMs as in production: a second run inside one JVM may differ from a first one in what no
     * scheduler ever sees (a ranker trained in a JVM that trained before).
     */
    Outcome toCompletion(List<String> args) {
        return run("list", args, -1);
    }

    /** Runs {@code args} until its {@code n}-th kill point. */
    Outcome atPoint(int n, List<String> args) {
        return run(Integer.toString(n), args, -1);
    }

    /** Runs {@code args} and kills it {@code delayMs} after its first kill point (a moment inside its writes). */
    Outcome afterFirstWrite(long delayMs, List<String> args) {
        return run("list", args, delayMs);
    }

    private Outcome run(String killAt, List<String> args, long delayMs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/millrace").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().put("MILLRACE_NO_BUILD", "1");
        pb.environment().put("MILLRACE_DRIVER_MEMORY", "1g");
        // C1 alone (as bin/test-launcher runs them) with its code cache sized: C1's 48 MB default ran out in score
        // on CI ("Out of space in CodeCache for method handle intrinsic").
        pb.environment().put("JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -Xss4m -D" + KillPoints.PROPERTY + "=" + killAt);
        try {
            Process p = pb.start();
            List<String> tail = new ArrayList<>();
            Optional<String> killedAt = Optional.empty();
            List<String> points = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long killAtNanos = Long.MAX_VALUE;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                out.write("== " + String.join(" ", cmd) + " (kill-at " + killAt + (delayMs >= 0 ? ", +" + delayMs
                        + " ms" : "") + ")\n");
                String line;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    tail.add(line);
                    if (tail.size() > 20) {
                        tail.remove(0);
                    }
                    if (line.startsWith(KillPoints.MARK)) {
                        // "millrace-kill-point N kind what[ KILL]"
                        points.add(line.substring(KillPoints.MARK.length() + 1).split(" ", 2)[1]);
                        if (line.endsWith(" KILL")) {
                            killedAt = Optional.of(line.substring(KillPoints.MARK.length() + 1, line.length() - 5));
                        } else if (delayMs >= 0 && killAtNanos == Long.MAX_VALUE) {
                            killAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
                            long when = killAtNanos;
                            Thread killer = new Thread(() -> {
                                while (p.isAlive() && System.nanoTime() < when) {
                                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                                }
                                p.destroyForcibly();
                            }, "crash-harness-killer");
                            killer.setDaemon(true);
                            killer.start();
                            killedAt = Optional.of("random moment, " + delayMs + " ms after the first write");
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        p.destroyForcibly();
                        throw new IllegalStateException("the child ran past 10 minutes: " + cmd);
                    }
                }
            }
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the child did not exit: " + cmd);
            }
            return new Outcome(p.exitValue(), killedAt, tail, points);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
