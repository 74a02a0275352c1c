package dev.millrace.featurestore.offline;

import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.definitions.FeatureDefinition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

/**
 * Turns one definition into Spark built-in expressions: the partial aggregates ("helpers") computed per entity and
 * feature timestamp, then the final expression over those helpers. Built-ins only (no UDF), so the same plan runs on
 * Spark's CPU engine and on RAPIDS. The event side is aliased {@code e}, the snapshot side {@code t}.
 */
final class FeatureColumns {

    static final String FEATURE_TS = FeatureTables.FEATURE_TS;
    private static final double MICROS_PER_DAY = 86_400_000_000.0;

    private FeatureColumns() {
    }

    /** The column of {@code t} holding each feature timestamp minus a window. */
    static String windowStartColumn(java.time.Duration window) {
        return "ws_" + window.getSeconds();
    }

    /** Name of a helper column of a definition. */
    static String helper(FeatureDefinition d, String part) {
        return "__" + d.name() + "__" + part;
    }

    /** The partial aggregates of an event definition, each aliased with {@link #helper}. */
    static List<Column> helpers(FeatureDefinition d, String timeColumn, DataType columnType) {
        Column time = col("e." + timeColumn);
        Column inWindow = d.window().map(w -> time.geq(col("t." + windowStartColumn(w)))).orElse(null);
        Column x = d.column().map(c -> col("e." + c)).orElse(lit(1));
        List<Column> out = new ArrayList<>();
        switch (d.aggregation()) {
            case COUNT -> out.add(count(windowed(inWindow, lit(1))).as(helper(d, "v")));
            case DISTINCT_COUNT -> out.add(count_distinct(windowed(inWindow, x)).as(helper(d, "v")));
            case SUM -> out.add(sum(windowed(inWindow, x)).as(helper(d, "v")));
            case MEAN -> out.add(avg(windowed(inWindow, x)).as(helper(d, "v")));
            case MIN -> out.add(min(windowed(inWindow, x)).as(helper(d, "v")));
            case MAX -> out.add(max(windowed(inWindow, x)).as(helper(d, "v")));
            case RECENCY_DAYS -> out.add(max(time).as(helper(d, "last")));
            case BAYESIAN_MEAN -> {
                out.add(sum(windowed(inWindow, x).cast("double")).as(helper(d, "sum")));
                out.add(count(windowed(inWindow, x)).as(helper(d, "n")));
            }
            case TREND -> {
                out.add(avg(when(inWindow, x)).as(helper(d, "recent")));
                out.add(avg(when(not(inWindow), x)).as(helper(d, "before")));
            }
            case SHARE -> {
                out.add(count(windowed(inWindow, x)).as(helper(d, "n")));
                for (int i = 0; i < d.vocabulary().size(); i++) {
                    Column holds = holds(x, columnType, d.vocabulary().get(i));
                    Column hit = inWindow == null ? holds : inWindow.and(holds);
                    out.add(count(when(hit, lit(1))).as(helper(d, "h" + i)));
                }
            }
            default -> throw new IllegalStateException(d.aggregation() + " is not an event aggregation");
        }
        return out;
    }

    /**
     * The global mean a {@code bayesian_mean} shrinks toward, as an aggregate over the (small) grouped frame grouped
     * by feature timestamp: the sum of every entity's sums over the sum of their counts, aliased
     * {@code helper(d, "prior")}. Joined back by feature timestamp (one row per snapshot) rather than a window
     * partitioned by it, which would put every entity of a snapshot in one partition.
     */
    static Column prior(FeatureDefinition d) {
        return sum(col(helper(d, "sum"))).divide(sum(col(helper(d, "n")))).as(helper(d, "prior"));
    }

    /** The feature's value from its helpers (columns of the grouped, joined frame). */
    static Column finalValue(FeatureDefinition d) {
        return switch (d.aggregation()) {
            case COUNT, DISTINCT_COUNT, SUM -> coalesce(col(helper(d, "v")), lit(0));
            case MEAN, MIN, MAX -> col(helper(d, "v"));
            case RECENCY_DAYS -> unix_micros(col(FEATURE_TS)).minus(unix_micros(col(helper(d, "last"))))
                    .divide(lit(MICROS_PER_DAY));
            case BAYESIAN_MEAN -> {
                Column c = lit(d.priorWeight());
                yield c.multiply(col(helper(d, "prior"))).plus(coalesce(col(helper(d, "sum")), lit(0.0)))
                        .divide(c.plus(coalesce(col(helper(d, "n")), lit(0L))));
            }
            case TREND -> col(helper(d, "recent")).minus(col(helper(d, "before")));
            case SHARE -> {
                Column n = coalesce(col(helper(d, "n")), lit(0L));
                Column[] shares = new Column[d.vocabulary().size()];
                for (int i = 0; i < shares.length; i++) {
                    // ANSI mode makes x / 0 an error, so the empty case is spelled out.
                    shares[i] = when(n.gt(0), col(helper(d, "h" + i)).cast("double").divide(n)).otherwise(lit(0.0));
                }
                yield array(shares);
            }
            default -> throw new IllegalStateException(d.aggregation() + " is not an event aggregation");
        };
    }

    /** The value of an attribute transform, over a static source aliased {@code s}. */
    static Column attribute(FeatureDefinition d, DataType columnType) {
        Column x = col("s." + d.column().orElseThrow());
        return switch (d.aggregation()) {
            case MULTI_HOT -> {
                Column[] bits = new Column[d.vocabulary().size()];
                for (int i = 0; i < bits.length; i++) {
                    bits[i] = when(holds(x, columnType, d.vocabulary().get(i)), lit(1)).otherwise(lit(0));
                }
                yield array(bits);
            }
            case REGEX_INT -> {
                Column group = regexp_extract(x, d.pattern().orElseThrow(), 1);
                // No match gives "", which is null here rather than a cast error under ANSI mode.
                yield when(group.equalTo(lit("")), lit(null).cast("int")).otherwise(group.cast("int"));
            }
            default -> throw new IllegalStateException(d.aggregation() + " is not an attribute transform");
        };
    }

    private static Column windowed(Column inWindow, Column x) {
        return inWindow == null ? x : when(inWindow, x);
    }

    private static Column holds(Column x, DataType type, String value) {
        return type instanceof ArrayType ? coalesce(array_contains(x, lit(value)), lit(false)) : x.equalTo(lit(value));
    }
}
