package dev.millrace.featurestore.serving;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The JVM's heap in use once garbage collection has taken what it can: System.gc() again and again (a full, blocking
 * collection under G1 and the other default collectors) until two readings in a row agree within a mebibyte, at most
 * {@link #ROUNDS} times, keeping the lowest reading. What is left is what something still holds, which is what a
 * leak would grow.
 */
final class HeapAfterGc {

    static final long MIB = 1L << 20;
    private static final int ROUNDS = 8;

    /** One measurement: the heap used after collection, and how many collections it took to settle. */
    record Reading(long usedBytes, int rounds) {
        double mib() {
            return usedBytes / (double) MIB;
        }
    }

    private HeapAfterGc() {
    }

    static Reading measure() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long lowest = Long.MAX_VALUE;
        long last = -1;
        int round = 0;
        while (round < ROUNDS) {
            System.gc();
            round++;
            long used = memory.getHeapMemoryUsage().getUsed();
            lowest = Math.min(lowest, used);
            if (last >= 0 && Math.abs(used - last) < MIB) {
                break;
            }
            last = used;
        }
        return new Reading(lowest, round);
    }
}
