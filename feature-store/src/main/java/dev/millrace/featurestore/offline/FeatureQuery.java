package dev.millrace.featurestore.offline;

import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.definitions.Aggregation;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.definitions.FeatureDefinition;
import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.SourceDefinition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

/**
 * Plans one entity's feature snapshot frame: for every feature timestamp, one row per entity key with every feature
 * declared for that entity. Each event source is joined once with the (broadcast, tiny) table of feature timestamps on
 * {@code event_time < feature_ts} and grouped by (key, feature_ts), so a run of many dates still reads its sources
 * once; static sources are crossed with the timestamps; the groups are then full-outer-joined on (key, feature_ts).
 * Only Spark built-in expressions, joins and aggregates appear in the plan, so RAPIDS can run all of it.
 */
public final class FeatureQuery {

    /** The partition column of the feature tables: the logical date of the snapshot. */
    public static final String FEATURE_DATE = "feature_date";

    private final SparkSession spark;
    private final FeatureRegistry registry;
    private final SourceFrames sources;

    public FeatureQuery(SparkSession spark, FeatureRegistry registry) {
        this.spark = spark;
        this.registry = registry;
        this.sources = new SourceFrames(spark);
    }

    /** The snapshot frame of {@code entity}: keys, {@code feature_ts}, features in name order, {@code feature_date}. */
    public Dataset<Row> plan(EntityDefinition entity, SnapshotTimes times) {
        List<FeatureDefinition> defs = registry.definitionsOf(entity.name());
        if (defs.isEmpty()) {
            throw new FeatureDefinitionException("entity '" + entity.name() + "' has no feature definitions");
        }
        Map<String, List<FeatureDefinition>> bySource = new LinkedHashMap<>();
        for (FeatureDefinition d : defs) {
            bySource.computeIfAbsent(d.source(), s -> new ArrayList<>()).add(d);
        }
        Dataset<Row> snapshots = snapshots(times, defs);
        List<String> joinKeys = new ArrayList<>(entity.keys());
        joinKeys.add(FeatureTables.FEATURE_TS);
        Dataset<Row> combined = null;
        for (Map.Entry<String, List<FeatureDefinition>> group : bySource.entrySet()) {
            SourceDefinition source = registry.sources().get(group.getKey());
            Dataset<Row> part = source.isStatic()
                    ? attributes(entity, source, group.getValue(), snapshots)
                    : events(entity, source, group.getValue(), snapshots, times);
            combined = combined == null ? part
                    : combined.join(part, scala.jdk.javaapi.CollectionConverters.asScala(joinKeys).toSeq(),
                    "full_outer");
        }
        List<Column> out = new ArrayList<>();
        entity.keys().forEach(k -> out.add(col(k)));
        out.add(col(FeatureTables.FEATURE_TS));
        for (FeatureDefinition d : defs) {
            out.add((d.isAttribute() ? col(d.name()) : FeatureColumns.finalValue(d)).as(d.name()));
        }
        out.add(date_sub(to_date(col(FeatureTables.FEATURE_TS)), 1).as(FEATURE_DATE));
        return combined.select(out.toArray(Column[]::new));
    }

    /**
     * The feature timestamps, with one column per distinct window holding {@code feature_ts - window}, computed here
     * so the per-row window test is a plain comparison.
     */
    Dataset<Row> snapshots(SnapshotTimes times, List<FeatureDefinition> defs) {
        TreeSet<Long> windows = new TreeSet<>();
        defs.forEach(d -> d.window().ifPresent(w -> windows.add(w.getSeconds())));
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(FeatureTables.FEATURE_TS, DataTypes.TimestampType, false));
        windows.forEach(w -> fields.add(DataTypes.createStructField(
                FeatureColumns.windowStartColumn(Duration.ofSeconds(w)), DataTypes.TimestampType, false)));
        List<Row> rows = new ArrayList<>();
        for (LocalDate date : times.dates()) {
            Instant ts = SnapshotTimes.featureTs(date);
            List<Object> values = new ArrayList<>();
            values.add(Timestamp.from(ts));
            windows.forEach(w -> values.add(Timestamp.from(ts.minusSeconds(w))));
            rows.add(RowFactory.create(values.toArray()));
        }
        return spark.createDataFrame(rows, new StructType(fields.toArray(StructField[]::new)));
    }

    private Dataset<Row> events(EntityDefinition entity, SourceDefinition source, List<FeatureDefinition> defs,
                                Dataset<Row> snapshots, SnapshotTimes times) {
        Dataset<Row> frame = sources.read(source);
        String time = source.timeColumn().orElseThrow();
        checkColumns(frame, source, entity, defs);
        DataType timeType = SourceFrames.columnType(frame, source, time, "source '" + source.name() + "'");
        if (!DataTypes.TimestampType.equals(timeType)) {
            throw new FeatureDefinitionException("source '" + source.name() + "': time column '" + time
                    + "' must be a timestamp, got " + timeType.simpleString());
        }
        // A literal bound first, so file statistics skip everything after the last snapshot.
        Column before = col(time).lt(lit(Timestamp.from(times.last())));
        boolean allWindowed = defs.stream().allMatch(d -> d.window().isPresent());
        Duration longest = defs.stream().map(d -> d.window().orElse(Duration.ZERO)).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        if (allWindowed) {
            before = before.and(col(time).geq(lit(Timestamp.from(times.first().minus(longest)))));
        }
        Dataset<Row> e = frame.where(before).as("e");
        Dataset<Row> t = broadcast(snapshots).as("t");
        Column on = col("e." + time).lt(col("t." + FeatureTables.FEATURE_TS));
        if (allWindowed) {
            on = on.and(col("e." + time).geq(col("t." + FeatureColumns.windowStartColumn(longest))));
        }
        Dataset<Row> joined = e.join(t, on, "inner");

        List<Column> groupBy = new ArrayList<>();
        groupBy.add(col("t." + FeatureTables.FEATURE_TS).as(FeatureTables.FEATURE_TS));
        entity.keys().forEach(k -> groupBy.add(key(col("e." + k)).as(k)));
        List<Column> aggs = new ArrayList<>();
        for (FeatureDefinition d : defs) {
            DataType type = d.column().map(c -> SourceFrames.columnType(frame, source, c, who(d))).orElse(null);
            aggs.addAll(FeatureColumns.helpers(d, time, type));
        }
        Dataset<Row> grouped = joined.groupBy(groupBy.toArray(Column[]::new))
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
        List<Column> priors = defs.stream().filter(d -> d.aggregation() == Aggregation.BAYESIAN_MEAN)
                .map(FeatureColumns::prior).toList();
        if (!priors.isEmpty()) {
            Dataset<Row> perSnapshot = grouped.groupBy(FeatureTables.FEATURE_TS)
                    .agg(priors.get(0), priors.subList(1, priors.size()).toArray(Column[]::new));
            grouped = grouped.join(broadcast(perSnapshot), FeatureTables.FEATURE_TS);
        }
        return grouped;
    }

    private Dataset<Row> attributes(EntityDefinition entity, SourceDefinition source, List<FeatureDefinition> defs,
                                    Dataset<Row> snapshots) {
        Dataset<Row> frame = sources.read(source);
        checkColumns(frame, source, entity, defs);
        List<Column> select = new ArrayList<>();
        entity.keys().forEach(k -> select.add(key(col("s." + k)).as(k)));
        for (FeatureDefinition d : defs) {
            DataType type = SourceFrames.columnType(frame, source, d.column().orElseThrow(), who(d));
            select.add(FeatureColumns.attribute(d, type).as(d.name()));
        }
        // Attributes do not change with time: the same values hold at every feature timestamp.
        return frame.as("s").select(select.toArray(Column[]::new)).crossJoin(broadcast(snapshots.select(FeatureTables.FEATURE_TS)));
    }

    private static void checkColumns(Dataset<Row> frame, SourceDefinition source, EntityDefinition entity,
                                     List<FeatureDefinition> defs) {
        for (FeatureDefinition d : defs) {
            for (String key : entity.keys()) {
                SourceFrames.columnType(frame, source, key, who(d) + " (key of entity '" + entity.name() + "')");
            }
            d.column().ifPresent(c -> SourceFrames.columnType(frame, source, c, who(d)));
        }
    }

    /**
     * Entity keys are strings in every feature table (the lake's key contract), whatever type a source query
     * produces: a source with integer ids still joins the string-keyed labels.
     */
    private static Column key(Column c) {
        return c.cast("string");
    }

    private static String who(FeatureDefinition d) {
        return "feature '" + d.name() + "'";
    }
}
