package dev.millrace.core.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The places where a crash must leave a state that a re-run repairs: after each Delta commit, each model-registry
 * write, each online-store write and each file a job publishes by rename. Jobs call {@link #reached} there; it costs
 * one volatile read unless a crash test asks for more. The crash harness (jobs' {@code CrashHarnessTest}) runs a
 * command with {@code -Dmillrace.kill-at=N}: the N-th point reached prints one line and sends this JVM a real
 * {@code SIGKILL} (no shutdown hook, no finally block, no flush runs), as a machine failure would. With
 * {@code -Dmillrace.kill-at=list} every point is printed and nothing is killed.
 *
 * <p>Hand-written because the point is where the kill lands: a debugger or an agent could stop a JVM, but only the
 * job knows which of its writes was its commit point.
 */
public final class KillPoints {

    /** The system property that arms the points. */
    public static final String PROPERTY = "millrace.kill-at";
    /** The prefix of the line printed at each point (the harness reads it from the child's standard error). */
    public static final String MARK = "millrace-kill-point";

    private static final AtomicInteger REACHED = new AtomicInteger();
    private static final String ARMED = System.getProperty(PROPERTY);

    private KillPoints() {
    }

    /** Whether this JVM was started with {@value #PROPERTY}. */
    public static boolean armed() {
        return ARMED != null && !ARMED.isBlank();
    }

    /**
     * One kill point: {@code kind} says what was just made durable ({@code delta-commit}, {@code registry},
     * {@code store}, {@code file}), {@code what} which table, version or file.
     */
    public static void reached(String kind, String what) {
        if (!armed()) {
            return;
        }
        int n = REACHED.incrementAndGet();
        PrintStream err = System.err;
        if ("list".equals(ARMED)) {
            err.println(MARK + " " + n + " " + kind + " " + what);
            err.flush();
            return;
        }
        if (Integer.toString(n).equals(ARMED.trim())) {
            err.println(MARK + " " + n + " " + kind + " " + what + " KILL");
            err.flush();
            killThisJvm();
        }
    }

    private static void killThisJvm() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).inheritIO().start();
        } catch (IOException e) {
            Runtime.getRuntime().halt(137);
        }
        // The signal arrives in microseconds; nothing of this thread's job may run in between.
        while (true) {
            LockSupport.park();
        }
    }
}
