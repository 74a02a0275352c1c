package dev.millrace.featurestore.definitions;

import dev.millrace.core.lake.TableName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The part of the declared features that can run on a lake, given which sources are there: a feed of interactions
 * only (no tags, no catalogue) still gets every feature over its interactions with the shipped definitions. Features
 * over a missing source are skipped, and so are derived features whose expression names a skipped feature; a
 * skipped definition marked {@code required = true} is an error instead. {@link #summary()} is the one line that
 * says what was skipped and why.
 */
public final class RunnableFeatures {

    /** A definition left out, with its source and the tables that are missing. */
    public record Skipped(String feature, String source, List<TableName> missing) {
    }

    private final FeatureRegistry runnable;
    private final List<Skipped> skipped;
    private final List<String> skippedDerived;
    private final int declared;

    private RunnableFeatures(FeatureRegistry runnable, List<Skipped> skipped, List<String> skippedDerived,
                             int declared) {
        this.runnable = runnable;
        this.skipped = List.copyOf(skipped);
        this.skippedDerived = List.copyOf(skippedDerived);
        this.declared = declared;
    }

    /**
     * @param statuses the status of each source the definitions use, by source name
     * @throws FeatureDefinitionException when a required definition's source is missing
     */
    public static RunnableFeatures of(FeatureRegistry registry, Map<String, SourceStatus> statuses) {
        return of(registry, statuses, true);
    }

    /**
     * As {@link #of(FeatureRegistry, Map)}; with {@code failOnRequired} false a required definition over a missing
     * source is skipped like the others (for listings that report rather than run).
     */
    public static RunnableFeatures of(FeatureRegistry registry, Map<String, SourceStatus> statuses,
                                      boolean failOnRequired) {
        Set<String> keep = new LinkedHashSet<>();
        List<Skipped> skipped = new ArrayList<>();
        for (FeatureDefinition d : registry.definitions()) {
            SourceStatus status = statuses.get(d.source());
            if (status == null) {
                throw new IllegalArgumentException("no status for source '" + d.source() + "'");
            }
            if (status.present()) {
                keep.add(d.name());
                continue;
            }
            if (d.required() && failOnRequired) {
                throw new FeatureDefinitionException("feature '" + d.name() + "' is required (required = true) but "
                        + "its source '" + d.source() + "' (" + status.describeReads() + ") cannot run on this lake: "
                        + status.describeState() + ". Ingest " + (status.missing().size() == 1 ? "it" : "them")
                        + ", or drop required = true to skip the feature when its source is missing");
            }
            skipped.add(new Skipped(d.name(), d.source(), status.missing()));
        }
        Set<String> keepDerived = new LinkedHashSet<>();
        List<String> skippedDerived = new ArrayList<>();
        for (DerivedFeature d : registry.derived()) {
            boolean usesSkipped = skipped.stream().anyMatch(s -> mentions(d.expression(), s.feature()));
            if (usesSkipped) {
                skippedDerived.add(d.name());
            } else {
                keepDerived.add(d.name());
            }
        }
        return new RunnableFeatures(registry.keeping(keep, keepDerived), skipped, skippedDerived,
                registry.definitions().size());
    }

    /** Whether the expression names the feature as a whole identifier (feature names are [a-z][a-z0-9_]*). */
    private static boolean mentions(String expression, String feature) {
        return Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(feature) + "(?![A-Za-z0-9_])")
                .matcher(expression).find();
    }

    /** The registry restricted to what can run: same entities and sources, fewer definitions and derived features. */
    public FeatureRegistry registry() {
        return runnable;
    }

    public List<Skipped> skipped() {
        return skipped;
    }

    public List<String> skippedDerived() {
        return skippedDerived;
    }

    public boolean skipsAnything() {
        return !skipped.isEmpty() || !skippedDerived.isEmpty();
    }

    /**
     * One line naming every skipped feature, grouped by source with the missing tables, for example: {@code 2 of
     * 17 features skipped, their source is not in this lake: user_item_tag_recency_days, user_item_tags (source tags:
     * missing silver.tags); derived user_item_genre_match (uses a skipped feature); set required = true on a
     * definition to fail instead}. Empty when nothing is skipped.
     */
    public String summary() {
        if (!skipsAnything()) {
            return "";
        }
        Map<String, List<Skipped>> bySource = new LinkedHashMap<>();
        skipped.forEach(s -> bySource.computeIfAbsent(s.source(), k -> new ArrayList<>()).add(s));
        List<String> parts = new ArrayList<>();
        bySource.forEach((source, list) -> parts.add(list.stream().map(Skipped::feature).sorted()
                .collect(Collectors.joining(", ")) + " (source " + source + ": missing "
                + list.get(0).missing().stream().map(TableName::qualified).collect(Collectors.joining(", ")) + ")"));
        if (!skippedDerived.isEmpty()) {
            parts.add("derived " + String.join(", ", skippedDerived) + " (uses a skipped feature)");
        }
        return skipped.size() + " of " + declared + " features skipped, their source is not in this lake: "
                + String.join("; ", parts) + "; set required = true on a definition to fail instead";
    }
}
