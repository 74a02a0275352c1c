package dev.millrace.udfs.registry;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import dev.millrace.core.faults.KillPoints;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of model versions, plain files only (no Spark), so batch jobs and the streaming side read the same
 * registry: {@code versions/<id>/version.json} plus the version's artifacts beside it, and {@code CURRENT}, a pointer
 * file naming the one current version. Versions are published by renaming a fully written staging folder and the
 * pointer is replaced by an atomic rename, so a reader never sees a half-written version or pointer. Each rename comes
 * after an fsync of what it publishes and is followed by one of its folder, so a crash or power cut leaves either the
 * old state or the new one, never an empty file under a published name.
 */
public final class ModelRegistry {

    public static final String VERSION_FILE = "version.json";
    public static final String CURRENT_FILE = "CURRENT";
    private static final Pattern ID = Pattern.compile("v(\\d{4,})");
    // Whole numbers read back as longs: a version rewritten after a read (evaluate's verdict) keeps "als_rank": 8,
    // not Gson's default 8.0.
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).disableHtmlEscaping().create();

    /** Writes a version's artifacts (model files) into its folder before the version becomes visible. */
    @FunctionalInterface
    public interface ArtifactWriter {
        void write(Path folder) throws IOException;
    }

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root;
    }

    /** A registry at a local path or a {@code file:} URI (any URI scheme with an installed NIO file system). */
    public static ModelRegistry at(String location) {
        Path p = location.contains(":/") ? Path.of(URI.create(location)) : Path.of(location);
        return new ModelRegistry(p.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    public Path folder(String version) {
        return root.resolve("versions").resolve(version);
    }

    /**
     * Registers a new version: artifacts are written into a staging folder, which is then renamed to the next free
     * id (a concurrent registration that takes the same id makes this one try the next). Not current until
     * {@link #promote(String)}.
     */
    public ModelVersion register(ModelVersion draft, ArtifactWriter artifacts) {
        try {
            Path versions = Files.createDirectories(root.resolve("versions"));
            Path staging = Files.createDirectories(root.resolve(".staging").resolve(UUID.randomUUID().toString()));
            artifacts.write(staging);
            for (int attempt = 0; attempt < 1000; attempt++) {
                String id = String.format("v%04d", nextNumber());
                ModelVersion v = draft.withVersion(id);
                writeJson(staging.resolve(VERSION_FILE), GSON.toJson(v));
                // On disk before the rename publishes them: a crash after it must not leave an empty or torn version.
                Durable.syncTree(staging);
                Path target = versions.resolve(id);
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    Durable.syncDirectory(versions);
                    KillPoints.reached("registry", "register " + id);
                    return v;
                } catch (IOException e) {
                    if (!Files.exists(target)) {
                        throw e;
                    }
                    // another writer took this id (rename onto a non-empty folder fails); try the next one
                }
            }
            throw new IllegalStateException("could not allocate a version id under " + versions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register a model version under " + root, e);
        }
    }

    /**
     * Removes a version that never became current: its folder is renamed out of {@code versions/} in one atomic move
     * (readers stop seeing it at once), then deleted. The current version cannot be discarded.
     */
    public void discard(String version) {
        if (currentVersion().filter(version::equals).isPresent()) {
            throw new IllegalArgumentException("model version " + version + " is current and cannot be discarded");
        }
        Path dir = folder(version);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Path trash = Files.createDirectories(root.resolve(".trash")).resolve(version + "-" + UUID.randomUUID());
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            Durable.syncDirectory(root.resolve("versions"));
            KillPoints.reached("registry", "discard " + version);
            try (Stream<Path> s = Files.walk(trash)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot discard model version " + version + " in " + root, e);
        }
    }

    /** Rewrites a version's description (metrics, verdict); its artifacts stay as they are. */
    public void update(ModelVersion v) {
        Path file = folder(v.version()).resolve(VERSION_FILE);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no model version " + v.version() + " in " + root);
        }
        writeAtomically(file, GSON.toJson(v));
    }

    /** Every version, oldest first. */
    public List<ModelVersion> list() {
        Path versions = root.resolve("versions");
        if (!Files.isDirectory(versions)) {
            return List.of();
        }
        List<ModelVersion> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(versions)) {
            for (Path dir : s.filter(p -> ID.matcher(p.getFileName().toString()).matches()).toList()) {
                read(dir.resolve(VERSION_FILE)).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + versions, e);
        }
        out.sort(Comparator.comparingLong(v -> number(v.version())));
        return out;
    }

    public Optional<ModelVersion> get(String version) {
        return read(folder(version).resolve(VERSION_FILE));
    }

    /** The newest version matching a condition. */
    public Optional<ModelVersion> latest(Predicate<ModelVersion> condition) {
        List<ModelVersion> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (condition.test(all.get(i))) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /** The id the pointer names, if any. */
    public Optional<String> currentVersion() {
        Path file = root.resolve(CURRENT_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            return Optional.of(o.get("version").getAsString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Optional<ModelVersion> current() {
        return currentVersion().flatMap(this::get);
    }

    /** Makes a version the current one (one atomic rename of the pointer file). */
    public void promote(String version) {
        if (get(version).isEmpty()) {
            throw new IllegalArgumentException("no model version " + version + " in " + root);
        }
        JsonObject o = new JsonObject();
        o.addProperty("version", version);
        o.addProperty("promoted_at", java.time.Instant.now().toString());
        writeAtomically(root.resolve(CURRENT_FILE), GSON.toJson(o));
    }

    private long nextNumber() throws IOException {
        long max = 0;
        try (Stream<Path> s = Files.list(root.resolve("versions"))) {
            for (Path p : s.toList()) {
                Matcher m = ID.matcher(p.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        }
        return max + 1;
    }

    private static long number(String id) {
        Matcher m = ID.matcher(id);
        return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    private static Optional<ModelVersion> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), ModelVersion.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void writeJson(Path file, String json) throws IOException {
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    private static void writeAtomically(Path file, String json) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Durable.syncFile(tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // A plain move could leave the pointer half written: refuse rather than risk it.
                Files.deleteIfExists(tmp);
                throw new IOException("the file system under " + file.getParent() + " cannot rename atomically, which the"
                        + " model registry needs", e);
            }
            Durable.syncDirectory(file.getParent());
            KillPoints.reached("registry", file.getParent().getFileName() + "/" + file.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
