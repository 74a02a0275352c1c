package dev.millrace.jobs.training.export;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * An export folder and its hidden staging sibling: an export is built completely (shards and manifest) in
 * {@code .<name>.staging-<uuid>} and then replaces the folder by a rename, so a reader or a re-run sees the old
 * export, the new one, or no folder at all (then the re-run exports again), never a half-written mix. The old folder
 * is first renamed to {@code .<name>.old-<uuid>}, since a rename onto an existing folder moves into it. Staging and
 * old folders a killed export left are deleted by the next export of the same folder; exports of one folder run one
 * at a time (the daily DAG orders its writers).
 */
final class ExportFolder {

    private final Path folder;
    private final FileSystem fs;
    private Path staging;

    ExportFolder(String folder, Configuration conf) {
        this.folder = new Path(folder);
        try {
            this.fs = this.folder.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + folder, e);
        }
    }

    String name() {
        return folder.getName();
    }

    /** Deletes the staging and old folders of earlier, killed exports; returns how many. */
    int deleteLeftovers() {
        Path pattern = new Path(folder.getParent(), "." + folder.getName() + ".{staging,old}-*");
        try {
            FileStatus[] found = fs.globStatus(pattern);
            if (found == null) {
                return 0;
            }
            for (FileStatus f : found) {
                fs.delete(f.getPath(), true);
            }
            return found.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + pattern, e);
        }
    }

    /** A new, empty staging folder for this export. */
    String newStaging() {
        staging = new Path(folder.getParent(), "." + folder.getName() + ".staging-" + UUID.randomUUID());
        try {
            if (!fs.mkdirs(staging)) {
                throw new IOException("mkdirs returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + staging, e);
        }
        return staging.toString();
    }

    String staging() {
        if (staging == null) {
            throw new IllegalStateException("no staging folder yet");
        }
        return staging.toString();
    }

    /** Replaces the folder with the staging folder. */
    void publishStaging() {
        Path old = new Path(folder.getParent(), "." + folder.getName() + ".old-" + UUID.randomUUID());
        try {
            if (fs.exists(folder) && !fs.rename(folder, old)) {
                throw new IOException("cannot move " + folder + " aside to " + old);
            }
            staging();
            if (!fs.rename(staging, folder)) {
                throw new IOException("cannot rename " + staging + " to " + folder);
            }
            fs.delete(old, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the export into " + folder, e);
        }
    }
}
