package dev.millrace.jobs.training.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.millrace.udfs.registry.FeatureSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code manifest.json} of a training export: the shard files and their row counts, the schema, the input vector
 * spec with feature statistics, categorical vocabularies and the Delta version of the table it came from. Written
 * last, so a folder with a manifest is complete.
 */
public record ExportManifest(String folder, String logicalDate, String sourceTable, long sourceVersion, long seed,
                             List<Shard> shards, List<FeatureSpec> features, JsonNode json) {

    public static final String FILE = "manifest.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One shard file (relative to the folder) and its rows. */
    public record Shard(int index, String file, long rows) {
    }

    public long totalRows() {
        return shards.stream().mapToLong(Shard::rows).sum();
    }

    /** The absolute path of shard i. */
    public String shardPath(int i) {
        return folder + "/" + shards.get(i).file();
    }

    public static void write(String folder, Map<String, Object> content, Configuration conf) {
        Path path = new Path(folder + "/" + FILE);
        // Written beside and renamed: the manifest is the export's commit point, and a crash while writing it in
        // place would leave a torn file that the next read trusts or fails on.
        Path tmp = new Path(folder + "/." + FILE + "." + UUID.randomUUID() + ".tmp");
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(JSON.writeValueAsString(content).getBytes(StandardCharsets.UTF_8));
                out.hsync();
            }
            fs.delete(path, false);
            if (!fs.rename(tmp, path)) {
                throw new IOException("cannot rename " + tmp + " to " + path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Reads the manifest of an export folder, empty when there is none (not exported, or interrupted). */
    public static Optional<ExportManifest> read(String folder, Configuration conf) {
        Path path = new Path(folder + "/" + FILE);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            JsonNode n;
            try (InputStream in = fs.open(path)) {
                n = JSON.readTree(in);
            }
            List<Shard> shards = new ArrayList<>();
            for (JsonNode s : n.get("shards")) {
                shards.add(new Shard(s.get("index").asInt(), s.get("file").asText(), s.get("rows").asLong()));
            }
            List<FeatureSpec> features = new ArrayList<>();
            for (JsonNode f : n.get("feature_vector")) {
                features.add(new FeatureSpec(f.get("name").asText(), f.get("column").asText(), f.get("index").asInt(),
                        f.get("mean").asDouble(), f.get("std").asDouble()));
            }
            JsonNode src = n.get("source");
            return Optional.of(new ExportManifest(folder, n.get("logical_date").asText(), src.get("table").asText(),
                    src.get("delta_version").asLong(), n.get("seed").asLong(), shards, features, n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
