package dev.millrace.jobs.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Shard i of a training export (or any Parquet file of the same layout, such as the ranker's prepared input) as a
 * DJL {@link RandomAccessDataset}: data = the {@code features} vector, label = {@code label}; {@code user_id} and
 * {@code item_id} are string keys. Reads the Parquet file directly (parquet-hadoop, no Spark), so a trainer worker
 * needs only the shard and the manifest, and holds one file's rows at a time.
 */
public final class ShardDataset extends RandomAccessDataset {

    private final String path;
    private final String split;
    private final Configuration conf;
    private float[][] features;
    private float[] labels;
    private String[] users;
    private String[] items;

    private ShardDataset(Builder b) {
        super(b);
        this.split = b.split;
        this.conf = b.conf == null ? new Configuration() : b.conf;
        if (b.file != null) {
            this.path = b.file;
            return;
        }
        ExportManifest manifest = Objects.requireNonNull(b.manifest, "manifest or file");
        if (b.shard < 0 || b.shard >= manifest.shards().size()) {
            throw new IllegalArgumentException("shard " + b.shard + " is not in 0.." + (manifest.shards().size() - 1));
        }
        this.path = manifest.shardPath(b.shard);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        NDArray x = manager.create(features[i]);
        NDArray y = manager.create(new float[] {labels[i]});
        return new Record(new NDList(x), new NDList(y));
    }

    @Override
    protected long availableSize() {
        return labels == null ? 0 : labels.length;
    }

    @Override
    public void prepare(Progress progress) {
        if (labels != null) {
            return;
        }
        List<float[]> xs = new ArrayList<>();
        List<Float> ys = new ArrayList<>();
        List<String[]> ids = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new Path(path))
                .withConf(conf).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                if (split != null && !split.equals(g.getString("split", 0))) {
                    continue;
                }
                Group list = g.getGroup("features", 0);
                int n = list.getFieldRepetitionCount(0);
                float[] v = new float[n];
                for (int j = 0; j < n; j++) {
                    v[j] = list.getGroup(0, j).getFloat(0, 0);
                }
                String u = g.getString("user_id", 0);
                String it = g.getString("item_id", 0);
                xs.add(v);
                ys.add((float) g.getDouble("label", 0));
                ids.add(new String[] {u, it});
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        features = xs.toArray(new float[0][]);
        labels = new float[ys.size()];
        users = new String[ys.size()];
        items = new String[ys.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = ys.get(i);
            users[i] = ids.get(i)[0];
            items[i] = ids.get(i)[1];
        }
    }

    /** Row i's vector (after {@link #prepare}). */
    public float[] features(int i) {
        return features[i];
    }

    public float label(int i) {
        return labels[i];
    }

    /** Row i's {@code user_id} (the string key). */
    public String userId(int i) {
        return users[i];
    }

    /** Row i's {@code item_id} (the string key). */
    public String itemId(int i) {
        return items[i];
    }

    /** Builds a shard dataset: manifest and shard, or a file, required; split filter and sampling optional. */
    public static final class Builder extends BaseBuilder<Builder> {
        private ExportManifest manifest;
        private int shard;
        private String file;
        private String split;
        private Configuration conf;

        @Override
        protected Builder self() {
            return this;
        }

        public Builder manifest(ExportManifest m) {
            this.manifest = m;
            return this;
        }

        public Builder shard(int i) {
            this.shard = i;
            return this;
        }

        /** Only rows of this split (train, validation, test); null = all. */
        public Builder split(String s) {
            this.split = s;
            return this;
        }

        /** A Parquet file laid out like a shard ({@code features}, {@code label}, the keys), instead of a shard. */
        public Builder file(String path) {
            this.file = path;
            return this;
        }

        public Builder hadoopConf(Configuration c) {
            this.conf = c;
            return this;
        }

        public ShardDataset build() {
            return new ShardDataset(this);
        }
    }
}
