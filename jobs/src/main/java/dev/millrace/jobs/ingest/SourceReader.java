package dev.millrace.jobs.ingest;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads a source's files into unified rows (raw values, typed values, verdict, file and line): text formats through
 * {@link SplitParser} on byte-range splits, Parquet through Spark's reader with its row index as the line number.
 */
final class SourceReader {

    private final SparkSession spark;
    private final ValidationRules rules;
    private final long maxSplitSize;
    private final int maxLineBytes;

    SourceReader(SparkSession spark, ValidationRules rules, long maxSplitSize, int maxLineBytes) {
        this.spark = spark;
        this.rules = rules;
        this.maxSplitSize = maxSplitSize;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The rows of some source files, and how many there must be, counted apart from parsing: text files by a byte
     * scan of their lines ({@link LineCount}), Parquet files from their footers.
     *
     * @param expectedRows one per record line (text) or per row (Parquet)
     * @param blankLines   blank lines of text files: no record, not a row, reported
     */
    record Read(Dataset<Row> rows, long expectedRows, long blankLines) {
    }

    Read read(SourceSpec spec, List<SourceFile> files) {
        StructType schema = UnifiedSchema.of(spec.entity());
        if (files.isEmpty()) {
            return new Read(spark.createDataFrame(new ArrayList<Row>(), schema), 0, 0);
        }
        if (spec.format() == SourceFormat.PARQUET) {
            Dataset<Row> rows = readParquet(spec, files, schema);
            // Footers only: Spark answers a bare count of Parquet files from their metadata.
            long expected = spark.read().parquet(files.stream().map(SourceFile::path).toArray(String[]::new)).count();
            return new Read(rows, expected, 0);
        }
        return readText(spec, files, schema);
    }

    private Read readText(SourceSpec spec, List<SourceFile> files, StructType schema) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf =
                jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        long total = files.stream().mapToLong(SourceFile::size).sum();
        // Enough splits to keep every core busy on mid-sized files, never more than the configured size.
        long parallelism = Math.max(1, spark.sparkContext().defaultParallelism());
        long splitSize = Math.min(maxSplitSize, Math.max(4L << 20, total / (2 * parallelism) + 1));
        // (a configured size under the 4 MiB floor wins: tests use it to exercise multi-split files)
        SplitPlanner.Plan plan = new SplitPlanner(jsc, conf, splitSize).plan(spec, files);
        List<FileSplit> splits = plan.splits();
        if (splits.isEmpty()) {
            return new Read(spark.createDataFrame(new ArrayList<Row>(), schema), 0, 0);
        }
        JavaRDD<Row> rows = jsc.parallelize(splits, splits.size())
                .flatMap(new SplitParser(spec, rules, conf, maxLineBytes));
        return new Read(spark.createDataFrame(rows, schema), plan.lines().records(), plan.lines().blank());
    }

    private Dataset<Row> readParquet(SourceSpec spec, List<SourceFile> files, StructType schema) {
        List<Field> fields = spec.entity().fields();
        Dataset<Row> source = spark.read().parquet(files.stream().map(SourceFile::path).toArray(String[]::new));
        List<Column> cols = new ArrayList<>();
        for (Field f : fields) {
            ColumnRef ref = spec.columns().get(f.name());
            if (ref != null && !List.of(source.columns()).contains(ref.name())) {
                throw new IllegalArgumentException("Parquet source for " + spec.entity().tableName()
                        + " has no column '" + ref.name() + "' (mapped to " + f.name() + "); columns are "
                        + List.of(source.columns()));
            }
            cols.add(ref == null ? lit(null).cast("string") : col("`" + ref.name() + "`").cast("string"));
        }
        cols.add(col("_metadata.file_path"));
        cols.add(col("_metadata.row_index"));
        RecordValidator validator = new RecordValidator(spec, rules);
        int n = fields.size();
        List<String> names = fields.stream().map(Field::name).toList();
        return source.select(cols.toArray(Column[]::new)).map((MapFunction<Row, Row>) r -> {
            String[] raw = new String[n];
            for (int i = 0; i < n; i++) {
                raw[i] = r.isNullAt(i) || r.getString(i).isEmpty() ? null : r.getString(i);
            }
            Outcome o = validator.validate(raw);
            Object[] values = new Object[2 * n + 5];
            System.arraycopy(raw, 0, values, 0, n);
            System.arraycopy(o.typed, 0, values, n, n);
            values[2 * n] = o.reason == null ? null : o.reason.code();
            values[2 * n + 1] = o.detail;
            values[2 * n + 2] = o.rejected() ? describe(names, raw) : null;
            values[2 * n + 3] = r.getString(n);
            values[2 * n + 4] = r.getLong(n + 1) + 1;
            return RowFactory.create(values);
        }, Encoders.row(schema));
    }

    private static String describe(List<String> names, String[] raw) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < raw.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names.get(i)).append('=').append(raw[i]);
        }
        return sb.append('}').toString();
    }
}
