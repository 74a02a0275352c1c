package dev.millrace.jobs.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints the demo as one short block per step: a numbered heading, the step's own indented lines, and how long the
 * step took, so a person can follow a run of several minutes.
 */
final class DemoSteps {

    private final PrintStream out;
    private final int total;
    private int current;
    private long startedNanos;

    DemoSteps(PrintStream out, int total) {
        this.out = out;
        this.total = total;
    }

    /** Ends the step in progress (its duration) and starts the next one. */
    void begin(String title) {
        end();
        current++;
        out.println();
        out.println("==> " + current + "/" + total + " " + title);
        out.flush();
        startedNanos = System.nanoTime();
    }

    /** One line of the current step's block. */
    void line(String text) {
        out.println("    " + text);
        out.flush();
    }

    /** Ends the step in progress, if any, with its duration. */
    void end() {
        if (startedNanos != 0) {
            out.printf(Locale.ROOT, "    (%.1f s)%n", (System.nanoTime() - startedNanos) / 1e9);
            out.flush();
            startedNanos = 0;
        }
    }

    PrintStream out() {
        return out;
    }
}
