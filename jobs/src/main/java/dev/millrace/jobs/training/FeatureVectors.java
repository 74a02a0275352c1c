package dev.millrace.jobs.training;

import dev.millrace.udfs.registry.FeatureSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

/**
 * The ranker's input vector: every numeric column of the training set (array columns element by element) in the
 * table's column order, standardised with statistics of the exported rows, a missing value becoming 0 (the mean).
 * The same {@link FeatureSpec} list builds the vector in the export, in scoring and (from the registry) anywhere else.
 */
public final class FeatureVectors {

    /** Columns of a training-set row that are not features. */
    public static final Set<String> NOT_FEATURES = Set.of("user_id", "item_id", "event_time", "label", "split",
            "event_date");

    /** A feature with the statistics of the rows it was fitted on (the manifest's feature statistics). */
    public record Fitted(FeatureSpec spec, double min, double max, long missing, long rows) {
    }

    private FeatureVectors() {
    }

    /** The feature columns of a schema: numeric, boolean or arrays of numbers, neither keys, label nor lineage. */
    public static List<StructField> featureColumns(StructType schema) {
        List<StructField> out = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (NOT_FEATURES.contains(f.name()) || f.name().endsWith("_feature_ts")) {
                continue;
            }
            if (numeric(f.dataType())
                    || (f.dataType() instanceof ArrayType a && numeric(a.elementType()))) {
                out.add(f);
            }
        }
        return out;
    }

    /** Fits the spec on some rows: one pass for array lengths, one for the statistics. */
    public static List<Fitted> fit(Dataset<Row> rows) {
        List<StructField> columns = featureColumns(rows.schema());
        List<StructField> arrays = columns.stream().filter(f -> f.dataType() instanceof ArrayType).toList();
        Map<String, Integer> lengths = new LinkedHashMap<>();
        if (!arrays.isEmpty()) {
            Column[] sizes = arrays.stream().map(f -> max(size(col(q(f.name()))))).toArray(Column[]::new);
            Row r = rows.agg(sizes[0], java.util.Arrays.copyOfRange(sizes, 1, sizes.length)).first();
            for (int i = 0; i < arrays.size(); i++) {
                lengths.put(arrays.get(i).name(), r.isNullAt(i) ? 0 : Math.max(0, r.getInt(i)));
            }
        }
        List<String[]> elements = new ArrayList<>();  // {name, column, index}
        for (StructField f : columns) {
            if (f.dataType() instanceof ArrayType) {
                for (int i = 0; i < lengths.get(f.name()); i++) {
                    elements.add(new String[] {f.name() + "_" + i, f.name(), String.valueOf(i)});
                }
            } else {
                elements.add(new String[] {f.name(), f.name(), "-1"});
            }
        }
        List<Column> aggs = new ArrayList<>();
        aggs.add(count(lit(1)));
        for (String[] e : elements) {
            Column v = raw(e[1], Integer.parseInt(e[2]));
            aggs.add(avg(v));
            aggs.add(stddev_pop(v));
            aggs.add(min(v));
            aggs.add(max(v));
            aggs.add(count(lit(1)).minus(count(v)));
        }
        Row r = rows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
        long n = r.getLong(0);
        List<Fitted> out = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            String[] e = elements.get(i);
            int b = 1 + i * 5;
            double mean = r.isNullAt(b) ? 0.0 : r.getDouble(b);
            double std = r.isNullAt(b + 1) || !(r.getDouble(b + 1) > 1e-12) ? 1.0 : r.getDouble(b + 1);
            out.add(new Fitted(new FeatureSpec(e[0], e[1], Integer.parseInt(e[2]), mean, std),
                    r.isNullAt(b + 2) ? Double.NaN : r.getDouble(b + 2),
                    r.isNullAt(b + 3) ? Double.NaN : r.getDouble(b + 3), r.getLong(b + 4), n));
        }
        return out;
    }

    /** The raw value of a feature as a double, null when missing or NaN (out-of-range elements are missing). */
    public static Column raw(String column, int index) {
        Column c = col(q(column));
        Column v = index < 0 ? c.cast("double")
                : call_function("try_element_at", c, lit(index + 1)).cast("double");
        return when(isnan(v), lit(null).cast("double")).otherwise(v);
    }

    /** The standardised input vector as {@code array<float>}, in spec order. */
    public static Column vector(List<FeatureSpec> specs) {
        Column[] elements = specs.stream()
                .map(s -> coalesce(raw(s.column(), s.index()).minus(lit(s.mean())).divide(lit(s.std())), lit(0.0))
                        .cast("float"))
                .toArray(Column[]::new);
        return array(elements);
    }

    private static boolean numeric(DataType t) {
        return t instanceof NumericType || t instanceof BooleanType;
    }

    private static String q(String name) {
        return "`" + name + "`";
    }
}
