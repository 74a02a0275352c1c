package dev.millrace.featurestore.offline;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.featurestore.definitions.EntityDefinition;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The offline feature store: one Delta table per entity, {@code <layer>.<entity>_features} (core's
 * {@link dev.millrace.core.tables.FeatureTables}), keyed by the entity's STRING keys and {@code feature_ts},
 * partitioned by {@code feature_date}. A run replaces exactly the dates it computed
 * (Delta {@code replaceWhere}), so re-running a date is idempotent and other dates are untouched; a feature added to
 * the definitions becomes a new column (null in older snapshots until they are recomputed).
 */
public final class OfflineStore {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineStore.class);

    private final SparkSession spark;
    private final Lake lake;

    public OfflineStore(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.lake = lake;
    }

    public String location(EntityDefinition entity) {
        return lake.location(entity.table());
    }

    public boolean exists(EntityDefinition entity) {
        return DeltaTable.isDeltaTable(spark, location(entity));
    }

    /**
     * Writes the snapshots of {@code times}, replacing those dates' partitions, and registers the table by name.
     * {@code commitMarker} becomes the commit's {@code userMetadata} (what the snapshots were computed from).
     */
    public void write(EntityDefinition entity, Dataset<Row> snapshots, SnapshotTimes times, String commitMarker) {
        String dates = times.dates().stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "));
        LOG.info("writing {} for {}", entity.table(), times.dates().size() == 1 ? times.dates().get(0)
                : times.dates().size() + " dates");
        snapshots.write().format("delta")
                .mode("overwrite")
                .option("replaceWhere", FeatureQuery.FEATURE_DATE + " IN (" + dates + ")")
                .option("mergeSchema", "true")
                .option("userMetadata", commitMarker)
                .partitionBy(FeatureQuery.FEATURE_DATE)
                .save(location(entity));
        new LakeCatalog(spark, lake).register(entity.table());
    }

    /** The entity's feature rows, or empty when no features run wrote it yet. */
    public Optional<Dataset<Row>> read(EntityDefinition entity) {
        if (!exists(entity)) {
            return Optional.empty();
        }
        return Optional.of(spark.read().format("delta").load(location(entity)));
    }

    /** The dates already in the store for an entity (for incremental runs and reports). */
    public java.util.List<LocalDate> dates(EntityDefinition entity) {
        return read(entity).map(df -> df.select(FeatureQuery.FEATURE_DATE).distinct().collectAsList().stream()
                .map(r -> r.getDate(0).toLocalDate()).sorted().toList()).orElse(java.util.List.of());
    }
}
