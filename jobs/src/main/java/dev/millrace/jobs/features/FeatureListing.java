package dev.millrace.jobs.features;

import dev.millrace.featurestore.definitions.DerivedFeature;
import dev.millrace.featurestore.definitions.FeatureDefinition;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.definitions.SourceStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code features --list} prints: each definition with its entity, its source (a table, or the tables its SQL
 * reads) and whether it can run on this lake, then the derived features and a count. Lets a user with a new feed see
 * which shipped definitions will be skipped before running anything.
 */
final class FeatureListing {

    private FeatureListing() {
    }

    static String render(FeatureRegistry registry, Map<String, SourceStatus> statuses, String lakeRoot) {
        RunnableFeatures runnable = RunnableFeatures.of(registry, statuses, false);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"FEATURE", "ENTITY", "SOURCE", "READS", "ON THIS LAKE"});
        for (FeatureDefinition d : registry.definitions()) {
            SourceStatus s = statuses.get(d.source());
            String state = s.present() ? "runs (source present)"
                    : (d.required() ? "FAILS, required: " : "skipped: ") + s.describeState();
            rows.add(new String[]{d.name(), d.entity(), d.source(), s.describeReads(), state});
        }
        StringBuilder out = new StringBuilder("feature definitions (millrace.features) on the lake ")
                .append(lakeRoot).append('\n');
        int[] width = new int[rows.get(0).length - 1];
        for (String[] r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            for (int i = 0; i < width.length; i++) {
                out.append(String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.append(r[r.length - 1]).append('\n');
        }
        for (DerivedFeature d : registry.derived()) {
            out.append("derived ").append(d.name()).append(": ")
                    .append(runnable.skippedDerived().contains(d.name()) ? "skipped (uses a skipped feature)"
                            : "runs").append('\n');
        }
        long failing = registry.definitions().stream()
                .filter(d -> d.required() && !statuses.get(d.source()).present()).count();
        out.append(runnable.registry().definitions().size()).append(" of ").append(registry.definitions().size())
                .append(" features can run on this lake");
        if (!runnable.skipped().isEmpty()) {
            out.append("; ").append(runnable.skipped().size() - failing).append(" would be skipped");
        }
        if (failing > 0) {
            out.append("; ").append(failing).append(" required, so `features` would fail until their sources exist");
        }
        return out.append('\n').toString();
    }
}
