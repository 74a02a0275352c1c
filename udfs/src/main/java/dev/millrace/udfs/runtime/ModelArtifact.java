package dev.millrace.udfs.runtime;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes of a model (one file, or the files of a model folder), read once on the driver through Hadoop's file
 * systems and shipped to executors by Spark (as a broadcast), so that no executor reads the model store itself.
 * On an executor {@link #materialize(java.nio.file.Path)} writes them to a local folder DJL can load from.
 */
public final class ModelArtifact implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String location;
    /** Relative path of the file DJL should open, or "" to open the folder. */
    private final String mainFile;
    private final TreeMap<String, byte[]> files;
    private final String sha256;

    private ModelArtifact(String location, String mainFile, TreeMap<String, byte[]> files) {
        this.location = location;
        this.mainFile = mainFile;
        this.files = files;
        this.sha256 = digest(files);
    }

    /** Reads a model file or folder; fails with the location in the message when it is missing or empty. */
    public static ModelArtifact read(String location, Configuration hadoopConf) {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(hadoopConf);
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (FileNotFoundException e) {
                throw new ModelException("model file not found: " + location);
            }
            TreeMap<String, byte[]> files = new TreeMap<>();
            if (status.isFile()) {
                files.put(path.getName(), readAll(fs, status));
                return checked(new ModelArtifact(location, path.getName(), files));
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
            String base = status.getPath().toUri().getPath();
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String rel = f.getPath().toUri().getPath().substring(base.length()).replaceFirst("^/", "");
                files.put(rel, readAll(fs, f));
            }
            return checked(new ModelArtifact(location, "", files));
        } catch (IOException e) {
            throw new ModelException("cannot read model at " + location + ": " + e.getMessage(), e);
        }
    }

    private static ModelArtifact checked(ModelArtifact a) {
        if (a.files.isEmpty()) {
            throw new ModelException("model folder is empty: " + a.location);
        }
        for (Map.Entry<String, byte[]> e : a.files.entrySet()) {
            if (e.getValue().length == 0) {
                throw new ModelException("model file is empty: " + a.location + (a.mainFile.isEmpty() ? "/" + e.getKey() : ""));
            }
        }
        return a;
    }

    private static byte[] readAll(FileSystem fs, FileStatus f) throws IOException {
        if (f.getLen() > Integer.MAX_VALUE - 16) {
            throw new ModelException("model file too large to broadcast (" + f.getLen() + " bytes): " + f.getPath());
        }
        try (FSDataInputStream in = fs.open(f.getPath())) {
            return in.readAllBytes();
        }
    }

    public String location() {
        return location;
    }

    public String mainFile() {
        return mainFile;
    }

    public String sha256() {
        return sha256;
    }

    /** The bytes of one file ("" or null: the main file of a single-file model). */
    public byte[] file(String relative) {
        return files.get(relative == null || relative.isEmpty() ? mainFile : relative);
    }

    public Map<String, byte[]> files() {
        return java.util.Collections.unmodifiableMap(files);
    }

    public long sizeBytes() {
        return files.values().stream().mapToLong(b -> b.length).sum();
    }

    /**
     * Writes the files under {@code root/<sha256>} unless already there (written to a temporary folder, then moved,
     * so concurrent tasks never see half a model) and returns the path DJL should load.
     */
    public java.nio.file.Path materialize(java.nio.file.Path root) {
        java.nio.file.Path dir = root.resolve(sha256.substring(0, 16));
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(root);
                java.nio.file.Path tmp = Files.createTempDirectory(root, "tmp-");
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    java.nio.file.Path target = tmp.resolve(e.getKey());
                    Files.createDirectories(target.getParent());
                    Files.write(target, e.getValue());
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    if (!Files.isDirectory(dir)) {
                        throw raced;
                    }
                    deleteRecursively(tmp);
                }
            }
            return mainFile.isEmpty() ? dir : dir.resolve(mainFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model " + location + " under " + root, e);
        }
    }

    private static void deleteRecursively(java.nio.file.Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (java.nio.file.Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    private static String digest(TreeMap<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
