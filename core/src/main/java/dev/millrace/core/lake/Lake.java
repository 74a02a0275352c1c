package dev.millrace.core.lake;

import dev.millrace.core.config.MillraceConfig;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where things live in the lake: one folder per layer, one per table, plus {@code _runs/} for job reports.
 * Knows paths only; reading and writing tables is Spark's and Delta's job.
 */
public final class Lake {

    public static final String RUNS_DIR = "_runs";

    private final String root;
    private final int buckets;

    public Lake(String root, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("millrace.lake.buckets must be at least 1, got " + buckets);
        }
        this.root = normalize(root);
        this.buckets = buckets;
    }

    public static Lake from(MillraceConfig config) {
        return new Lake(config.getString("millrace.lake.root"), config.getInt("millrace.lake.buckets"));
    }

    /** Absolute URI string of the lake root; local relative paths become absolute file: URIs. */
    public String root() {
        return root;
    }

    public int buckets() {
        return buckets;
    }

    public String location(TableName table) {
        return root + "/" + table.layer() + "/" + table.name();
    }

    public String layerLocation(String layer) {
        return root + "/" + layer;
    }

    public String runsLocation() {
        return root + "/" + RUNS_DIR;
    }

    private static String normalize(String root) {
        String trimmed = root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1) : root;
        URI uri = URI.create(trimmed.replace(" ", "%20"));
        if (uri.getScheme() != null && uri.getScheme().length() > 1) {
            return trimmed;
        }
        return Path.of(trimmed).toAbsolutePath().normalize().toUri().toString().replaceAll("/$", "");
    }
}
