package dev.millrace.featurestore.online;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: 127.0.0.1, a free port, no persistence, its own folder. Installs the Debian
 * package when the binary is missing (the project's machines run as root). Readiness is Redis' own "Ready to accept
 * connections" log line, waited for with a bound; no sleeping.
 */
public final class RedisServer implements AutoCloseable {

    private static final String BINARY = "redis-server";

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static RedisServer start() {
        return start(List.of());
    }

    /**
     * A server with more configuration directives (each {@code --name value...}, as redis-server takes them): a
     * password, ACL users, TLS. {@code PORT} in them stands for the free port chosen (for {@code --tls-port PORT
     * --port 0}, a TLS-only server).
     */
    public static RedisServer start(List<String> directives) {
        ensureInstalled();
        try {
            Path dir = Files.createTempDirectory("millrace-redis-");
            int port = freePort();
            List<String> command = new java.util.ArrayList<>(List.of(BINARY, "--bind", "127.0.0.1"));
            if (directives.stream().noneMatch(d -> d.equals("--port"))) {
                command.addAll(List.of("--port", Integer.toString(port)));
            }
            command.addAll(List.of("--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes",
                    "--loglevel", "notice"));
            for (String d : directives) {
                command.add(d.equals("PORT") ? Integer.toString(port) : d);
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            StringBuilder log = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        if (line.contains("Ready to accept connections")) {
                            ready.complete(null);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended; the wait below reports it
                }
                ready.completeExceptionally(new IllegalStateException("redis-server exited"));
            }, "redis-server-log");
            reader.setDaemon(true);
            reader.start();
            try {
                ready.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                synchronized (log) {
                    throw new IllegalStateException("redis-server did not become ready on port " + port + ":\n" + log, e);
                }
            }
            return new RedisServer(p, port, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
    }

    public int port() {
        return port;
    }

    /** Store settings pointing at this server, with a key prefix of the caller's choice (tests share one server). */
    public StoreSettings settings(String prefix) {
        return StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", port).redisKeyPrefix(prefix)
                .batchSize(100).build();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; leaving it behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void ensureInstalled() {
        if (onPath()) {
            return;
        }
        run(List.of("apt-get", "install", "-y", "-qq", "redis-server"));
        if (!onPath()) {
            run(List.of("apt-get", "update", "-qq"));
            run(List.of("apt-get", "install", "-y", "-qq", "redis-server"));
        }
        if (!onPath()) {
            throw new IllegalStateException("redis-server is not installed and apt-get could not install it");
        }
    }

    private static boolean onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
