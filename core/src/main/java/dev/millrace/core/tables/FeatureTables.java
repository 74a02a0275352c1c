package dev.millrace.core.tables;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.TableName;

/**
 * The offline feature store's tables: entity E's snapshots live in {@code <layer>.<E>_features} (the layer from
 * {@code millrace.features.layer}), keyed by the entity's keys plus {@link #FEATURE_TS}, the instant the values hold
 * as of. Written by {@code features}, read by the training set, score and publish.
 */
public final class FeatureTables {

    /** The conf setting naming the layer. */
    public static final String LAYER_PATH = "millrace.features.layer";
    public static final String SUFFIX = "_features";
    public static final String FEATURE_TS = "feature_ts";

    private final String layer;

    public FeatureTables(String layer) {
        this.layer = layer;
    }

    public static FeatureTables from(MillraceConfig config) {
        return new FeatureTables(config.getString(LAYER_PATH));
    }

    public String layer() {
        return layer;
    }

    /** The table of one entity's snapshots. */
    public TableName of(String entity) {
        return TableName.of(layer, entity + SUFFIX);
    }

    /** True when {@code table} is some entity's feature table. */
    public boolean holds(TableName table) {
        return table.layer().equals(layer) && table.name().endsWith(SUFFIX);
    }

    /** The entity of a feature table ({@code user} for {@code features.user_features}). */
    public String entityOf(TableName table) {
        return table.name().substring(0, table.name().length() - SUFFIX.length());
    }
}
