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
 * registry: {@code versions/<id>/version.json} plus the version's artifacts beside it, and {@code aliases/<alias>},
 * one small pointer file per named alias ({@value #CHAMPION}, {@code challenger}, ...) naming one version. The
 * {@value #CHAMPION} alias is the model the jobs use (what the single {@code CURRENT} pointer used to be). Versions
 * are published by renaming a fully written staging folder and each alias file is replaced by an atomic rename, so a
 * reader never sees a half-written version or alias. Each rename comes after an fsync of what it publishes and is
 * followed by one of its folder, so a crash or power cut leaves either the old state or the new one, never an empty
 * file under a published name.
 *
 * <p>Older registries have a {@code CURRENT} file and no {@code aliases/} folder: they read as {@value #CHAMPION} =
 * the version {@code CURRENT} names. The first alias write (set or remove, of any alias) migrates such a registry:
 * it writes {@code aliases/champion} with that version, then deletes {@code CURRENT}. A crash between the two leaves
 * both, naming the same version; {@code aliases/champion} wins and the next alias write deletes {@code CURRENT}.
 */
public final class ModelRegistry {

    public static final String VERSION_FILE = "version.json";
    /** The pointer file of registries written before aliases; read as {@value #CHAMPION}, removed on migration. */
    public static final String CURRENT_FILE = "CURRENT";
    public static final String ALIASES_DIR = "aliases";
    /** The alias of the version the jobs use: evaluate's promotion moves it, score reads it. */
    public static final String CHAMPION = "champion";
    /** Alias names: lower case, a file name on every file system, never a version id ({@code v0003}). */
    public static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern ID = Pattern.compile("v(\\d{4,})");
    private static final Pattern VERSION_LIKE = Pattern.compile("v\\d+");
    // Whole numbers read back as longs: a version rewritten after a read (evaluate's verdict) keeps "als_rank": 8,
    // not Gson's default 8.0.
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).disableHtmlEscaping().create();

    /** Writes a version's artifacts (model files) into its folder before the version becomes visible. */
    @FunctionalInterface
    public interface ArtifactWriter {
        void write(Path folder) throws IOException;
    }

    /** Runs between a pointer's fsynced temporary file and its rename; tests use it to crash a write there. */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path tmp, Path target) throws IOException;
    }

    private final Path root;
    private final BeforeRename beforeRename;

    public ModelRegistry(Path root) {
        this(root, (tmp, target) -> { });
    }

    ModelRegistry(Path root, BeforeRename beforeRename) {
        this.root = root;
        this.beforeRename = beforeRename;
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
     * an alias names it ({@link #setAlias}; evaluate moves {@value #CHAMPION}).
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
     * Removes a version no alias names: its folder is renamed out of {@code versions/} in one atomic move (readers
     * stop seeing it at once), then deleted. A version an alias points to cannot be discarded.
     */
    public void discard(String version) {
        List<String> held = aliasesOf(version);
        if (!held.isEmpty()) {
            throw new IllegalArgumentException("model version " + version + " is aliased (" + String.join(", ", held)
                    + ") and cannot be discarded");
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

    /**
     * The version an alias names, if any: the one method every reader of an alias (and of the old {@code CURRENT})
     * goes through. {@value #CHAMPION} falls back to a legacy {@code CURRENT} file while no {@code aliases/champion}
     * exists.
     */
    public Optional<String> aliasVersion(String alias) {
        checkAlias(alias);
        Optional<String> v = readPointer(aliasFile(alias));
        if (v.isEmpty() && CHAMPION.equals(alias)) {
            return readPointer(root.resolve(CURRENT_FILE));
        }
        return v;
    }

    /** The version an alias names, if it (still) exists. */
    public Optional<ModelVersion> resolve(String alias) {
        return aliasVersion(alias).flatMap(this::get);
    }

    /** The version a reference names ({@code name@alias} or {@code name@vNNNN}); its model must be this registry's. */
    public Optional<ModelVersion> resolve(ModelReference ref) {
        if (!ref.model().equals(root.getFileName().toString())) {
            throw new IllegalArgumentException("model reference " + ref + " names another model than the registry "
                    + root);
        }
        return ref.version().isPresent() ? get(ref.version().get()) : resolve(ref.alias().orElseThrow());
    }

    /** The {@value #CHAMPION}: the version the jobs score with (what {@code CURRENT} used to name). */
    public Optional<ModelVersion> champion() {
        return resolve(CHAMPION);
    }

    /** Every alias with the version it names, sorted by alias (a legacy {@code CURRENT} as {@value #CHAMPION}). */
    public java.util.SortedMap<String, String> aliases() {
        java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
        Path dir = root.resolve(ALIASES_DIR);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                // Only alias names: the hidden temporary file of a write that crashed before its rename is no alias.
                for (Path p : s.filter(p -> ALIAS.matcher(p.getFileName().toString()).matches()).toList()) {
                    readPointer(p).ifPresent(v -> out.put(p.getFileName().toString(), v));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        if (!out.containsKey(CHAMPION)) {
            readPointer(root.resolve(CURRENT_FILE)).ifPresent(v -> out.put(CHAMPION, v));
        }
        return out;
    }

    /** The aliases that name a version, sorted. */
    public List<String> aliasesOf(String version) {
        return aliases().entrySet().stream().filter(e -> e.getValue().equals(version)).map(java.util.Map.Entry::getKey)
                .toList();
    }

    /** Whether the registry still has the pointer file of before aliases (it reads as {@value #CHAMPION}). */
    public boolean hasLegacyCurrent() {
        return Files.exists(root.resolve(CURRENT_FILE));
    }

    /**
     * Points an alias at a version (creating or moving it) in one atomic rename of its file. The version must exist
     * and be finished (have a verdict: a version without one is what a crashed train left, and the next train
     * discards it). {@code versionText} is an id ({@code v0003}) or its number ({@code 3}).
     */
    public void setAlias(String alias, String versionText) {
        checkAlias(alias);
        String version = versionId(versionText);
        ModelVersion v = get(version).orElseThrow(() ->
                new IllegalArgumentException("no model version " + version + " in " + root));
        if (v.evaluation() == null) {
            throw new IllegalArgumentException("model version " + version + " is unfinished (no verdict: a train that"
                    + " did not complete) and cannot take an alias");
        }
        migrateLegacyCurrent();
        JsonObject o = new JsonObject();
        o.addProperty("alias", alias);
        o.addProperty("version", version);
        o.addProperty("moved_at", java.time.Instant.now().toString());
        writeAtomically(aliasFile(alias), GSON.toJson(o));
    }

    /** Removes an alias (one unlink); {@value #CHAMPION} cannot be removed, only moved. False if there was none. */
    public boolean removeAlias(String alias) {
        checkAlias(alias);
        if (CHAMPION.equals(alias)) {
            throw new IllegalArgumentException("the alias " + CHAMPION + " cannot be removed, only moved (the jobs score"
                    + " with it)");
        }
        migrateLegacyCurrent();
        Path file = aliasFile(alias);
        try {
            if (!Files.deleteIfExists(file)) {
                return false;
            }
            Durable.syncDirectory(file.getParent());
            KillPoints.reached("registry", ALIASES_DIR + "/" + alias + " removed");
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** An alias name, checked: {@link #ALIAS} and not a version id. */
    public static String checkAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches() || VERSION_LIKE.matcher(alias).matches()) {
            throw new IllegalArgumentException("bad alias name '" + alias + "': lower-case letters, digits, _ and -,"
                    + " starting with a letter, at most 32 characters, and not a version id like v0003");
        }
        return alias;
    }

    /** A version id from {@code v0003}, {@code v3} or {@code 3}. */
    public static String versionId(String text) {
        if (text != null && ID.matcher(text).matches()) {
            return text;
        }
        if (text != null && text.matches("v?\\d{1,9}")) {
            return String.format(java.util.Locale.ROOT, "v%04d", Long.parseLong(text.replace("v", "")));
        }
        throw new IllegalArgumentException("bad model version '" + text + "': a number (3) or an id (v0003)");
    }

    private Path aliasFile(String alias) {
        return root.resolve(ALIASES_DIR).resolve(alias);
    }

    /**
     * A registry with a {@code CURRENT} file gets {@code aliases/champion} (unless it already has one: a migration
     * that crashed before its delete, whose champion may have moved since), then loses {@code CURRENT}.
     */
    private void migrateLegacyCurrent() {
        Path legacy = root.resolve(CURRENT_FILE);
        Optional<String> version = readPointer(legacy);
        if (version.isEmpty()) {
            return;
        }
        if (!Files.exists(aliasFile(CHAMPION))) {
            JsonObject o = new JsonObject();
            o.addProperty("alias", CHAMPION);
            o.addProperty("version", version.get());
            o.addProperty("moved_at", java.time.Instant.now().toString());
            o.addProperty("migrated_from", CURRENT_FILE);
            writeAtomically(aliasFile(CHAMPION), GSON.toJson(o));
        }
        try {
            Files.deleteIfExists(legacy);
            Durable.syncDirectory(root);
            KillPoints.reached("registry", CURRENT_FILE + " removed (migrated to " + ALIASES_DIR + "/" + CHAMPION + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + legacy, e);
        }
    }

    /** The {@code version} of a pointer file ({@code CURRENT} or an alias), if the file exists. */
    private static Optional<String> readPointer(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            return Optional.of(o.get("version").getAsString());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // removed between the check and the read
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("unreadable model pointer " + file + ": " + e.getMessage(), e);
        }
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

    private void writeAtomically(Path file, String json) {
        try {
            boolean newFolder = !Files.isDirectory(file.getParent());
            Files.createDirectories(file.getParent());
            if (newFolder) {
                // A new folder (the first alias's aliases/) is an entry of its parent: on disk before a file in it.
                Durable.syncDirectory(file.getParent().getParent());
            }
            Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Durable.syncFile(tmp);
            beforeRename.run(tmp, file);
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
