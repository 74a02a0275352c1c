package dev.millrace.core.spark;

import dev.millrace.core.config.MillraceConfig;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one SparkSession of a test JVM (local[2], Delta enabled, a fresh lake in a temporary folder). Starting Spark
 * costs seconds, so every test class of a module shares it; tests that need their own lake make a sub-folder with
 * {@link #newLakeDir(String)} and pass a config pointing at it.
 */
public final class SharedSpark {

    private static SparkSession session;
    private static MillraceConfig config;
    private static Path root;

    private SharedSpark() {
    }

    public static synchronized SparkSession session() {
        if (session == null) {
            try {
                root = Files.createTempDirectory("millrace-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            config = MillraceConfig.defaults().with(Map.of(
                    "millrace.lake.root", root.resolve("lake").toString(),
                    "millrace.lake.buckets", 4,
                    "millrace.spark.master", "local[2]",
                    "millrace.spark.conf.\"spark.sql.shuffle.partitions\"", "4",
                    "millrace.spark.conf.\"spark.ui.enabled\"", "false",
                    "millrace.spark.conf.\"spark.driver.host\"", "127.0.0.1",
                    "millrace.spark.conf.\"spark.driver.bindAddress\"", "127.0.0.1"));
            session = SparkSessions.getOrCreate(config, "test");
        }
        return session;
    }

    /** The config the shared session was built with (its lake is this JVM's default test lake). */
    public static synchronized MillraceConfig config() {
        session();
        return config;
    }

    /** A config identical to {@link #config()} but with its own empty lake folder, for tests that need isolation. */
    public static MillraceConfig configWithLake(String name) {
        return config().with(Map.of("millrace.lake.root", newLakeDir(name).toString()));
    }

    public static synchronized Path newLakeDir(String name) {
        session();
        Path dir = root.resolve(name + "-" + System.nanoTime());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder of ../shared/data, from -Dmillrace.shared.dir (set by the build) or the working tree. */
    public static Path sharedData() {
        String dir = System.getProperty("millrace.shared.dir");
        Path base = dir != null ? Path.of(dir) : Path.of("..", "..", "shared");
        return base.resolve("data").toAbsolutePath().normalize();
    }
}
