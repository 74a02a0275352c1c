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
    /**
     * A gate said no: {@code evaluate} found that the new model does not beat the current one by the configured margin,
     * so it stays a candidate. Schedulers stop the publishing steps on this code instead of treating it as a crash.
     */
    public static final int NOT_PROMOTED = 4;

    private ExitCodes() {
    }
}
