package dev.millrace.udfs.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * fsync for the registry's local files: a rename is atomic but not durable until the data it points at and the
 * folder holding the new name are on disk, so after a power cut a renamed version or pointer could be empty.
 * Written here because java.nio has no one-call "sync this tree" and the registry needs exactly that.
 */
final class Durable {

    private Durable() {
    }

    static void syncFile(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** A folder's entries (new names, renames) on disk. POSIX systems sync a folder opened for reading. */
    static void syncDirectory(Path dir) throws IOException {
        if (WINDOWS) {
            return; // Windows cannot open a folder as a channel; NTFS journals the rename itself
        }
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
            .startsWith("windows");

    /** Every file of a folder tree, then every folder of it, deepest first. */
    static void syncTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                syncFile(p);
            }
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            if (Files.isDirectory(all.get(i))) {
                syncDirectory(all.get(i));
            }
        }
    }
}
