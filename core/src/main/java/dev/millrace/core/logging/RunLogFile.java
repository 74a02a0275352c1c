package dev.millrace.core.logging;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends the whole log of a command run by {@code bin/millrace} (Spark's and the libraries' warnings, Millrace's own
 * lines) to one file per run under the lake, {@code <lake>/_logs/<job>-<time>.log}, so that the terminal keeps only
 * the command's own output, Millrace's messages and errors. It acts only when the launcher asked for it (system
 * property {@value #ENABLE}, which {@code bin/run-class} sets) and log4j2 is the logging back end, so a spark-submit
 * job keeps the cluster's log set-up. {@code conf/log4j2.properties} names the file through {@value #FILE}.
 */
public final class RunLogFile {

    /** Set to {@code true} by the launcher: write the run's log under the lake. */
    public static final String ENABLE = "millrace.log.to-lake";
    /** The file {@code conf/log4j2.properties} writes to (read when log4j2 reconfigures). */
    public static final String FILE = "millrace.log.file";
    /** The lowest level of Millrace's own messages that still reach the terminal (default info). */
    public static final String CONSOLE_LEVEL = "millrace.log.console";

    public static final String LOGS_DIR = "_logs";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

    private RunLogFile() {
    }

    /**
     * Points the log at {@code <lake>/_logs/<job>-<time>.log} (a non-local lake logs under the temporary folder) and
     * returns the file, or empty where the launcher did not ask for it. With {@code ownProgress} (a command that
     * prints its own progress lines, such as the demo) only Millrace's warnings and errors reach the terminal.
     */
    public static Optional<Path> redirect(String lakeRoot, String job, boolean ownProgress) {
        if (!Boolean.getBoolean(ENABLE) || !(LogManager.getContext(false) instanceof LoggerContext context)) {
            return Optional.empty();
        }
        String name = job.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC))
                + "-" + ProcessHandle.current().pid() + ".log";
        Path dir = localFolder(lakeRoot).orElse(Path.of(System.getProperty("java.io.tmpdir"), "millrace-logs"));
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        System.setProperty(FILE, file.toString());
        if (ownProgress) {
            System.setProperty(CONSOLE_LEVEL, "warn");
        }
        context.reconfigure();
        return Optional.of(file);
    }

    /** {@link #redirect(String, String, boolean)} for a command whose Millrace INFO lines are its progress. */
    public static Optional<Path> redirect(String lakeRoot, String job) {
        return redirect(lakeRoot, job, false);
    }

    private static Optional<Path> localFolder(String lakeRoot) {
        URI uri = URI.create(lakeRoot.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            return Optional.of(Path.of(lakeRoot).toAbsolutePath().resolve(LOGS_DIR));
        }
        if ("file".equals(uri.getScheme())) {
            return Optional.of(Path.of(uri).resolve(LOGS_DIR));
        }
        return Optional.empty();
    }
}
