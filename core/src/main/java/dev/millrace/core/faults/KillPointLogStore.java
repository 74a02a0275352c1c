package dev.millrace.core.faults;

import io.delta.storage.HDFSLogStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Iterator;
import java.util.regex.Pattern;

/**
 * Delta's own log store for local paths ({@link HDFSLogStore}, the default for {@code file:}) with a
 * {@link KillPoints} point after each commit file is written, i.e. right after a Delta commit became durable.
 * Installed only for crash tests ({@code spark.delta.logStore.file.impl}, see
 * {@code SparkSessions}): every other write passes straight through.
 */
public class KillPointLogStore extends HDFSLogStore {

    private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.json");

    public KillPointLogStore(Configuration hadoopConf) {
        super(hadoopConf);
    }

    @Override
    public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
            throws IOException {
        super.write(path, actions, overwrite, hadoopConf);
        if (COMMIT.matcher(path.getName()).matches()) {
            Path table = path.getParent().getParent();
            KillPoints.reached("delta-commit", table.getParent().getName() + "/" + table.getName() + "@"
                    + Long.parseLong(path.getName().substring(0, 20)));
        }
    }
}
