package dev.millrace.jobs.ingest;

/**
 * The verdict on one record: its typed values, or why it was rejected. Typed values are kept as far as they parsed,
 * so that even a rejected row lands in the right bronze partition when its time and user are readable.
 */
final class Outcome {
    final Object[] typed;
    RejectReason reason;
    String detail;

    Outcome(int fields) {
        typed = new Object[fields];
    }

    void reject(RejectReason r, String d) {
        if (reason == null) {
            reason = r;
            detail = d;
        }
    }

    boolean rejected() {
        return reason != null;
    }
}
