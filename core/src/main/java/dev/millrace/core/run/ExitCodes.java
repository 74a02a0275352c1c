package dev.millrace.core.run;

/** Process exit codes shared by every command, so schedulers can tell failures apart. */
public final class ExitCodes {
    public static final int OK = 0;
    /** A job failed: an exception, a missing input. */
    public static final int FAILED = 1;
    /** The command line was wrong (picocli's own code). */
    public static final int USAGE = 2;
    /** The data was rejected: more rows quarantined than the configured threshold allows. */
    public static final int REJECTED = 3;

    private ExitCodes() {
    }
}
