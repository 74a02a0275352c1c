package dev.millrace.featurestore.definitions;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.tables.FeatureTables;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The feature definitions declared under {@code millrace.features} (entities, sources, vocabularies, definitions,
 * derived features), read and checked once. Adding a feature means adding a definition in conf; a definition that
 * cannot work fails here with a message naming it, before any Spark job starts (checks that need the source's schema
 * happen when the job plans, and name the definition too).
 */
public final class FeatureRegistry {

    public static final String ROOT = "millrace.features";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Set<String> DEFINITION_KEYS = Set.of("entity", "source", "aggregation", "column", "window",
            "vocabulary", "prior-weight", "pattern", "description", "required");

    private final Map<String, EntityDefinition> entities;
    private final Map<String, SourceDefinition> sources;
    private final List<FeatureDefinition> definitions;
    private final List<DerivedFeature> derived;

    private FeatureRegistry(Map<String, EntityDefinition> entities, Map<String, SourceDefinition> sources,
                            List<FeatureDefinition> definitions, List<DerivedFeature> derived) {
        this.entities = entities;
        this.sources = sources;
        this.definitions = definitions;
        this.derived = derived;
    }

    /** Reads and checks {@code millrace.features}. */
    public static FeatureRegistry load(MillraceConfig config) {
        Config root = config.getConfig(ROOT);
        FeatureTables tables = FeatureTables.from(config);
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        for (String v : sortedKeys(root.getObject("vocabularies"))) {
            vocabularies.put(v, root.getConfig("vocabularies").getStringList(v));
        }

        Map<String, EntityDefinition> entities = new LinkedHashMap<>();
        Config ec = root.getConfig("entities");
        for (String name : sortedKeys(root.getObject("entities"))) {
            checkName("entity", name);
            List<String> keys = ec.getConfig(name).getStringList("keys");
            if (keys.isEmpty()) {
                throw new FeatureDefinitionException("entity '" + name + "': keys must name at least one column");
            }
            keys.forEach(k -> checkName("key of entity '" + name + "'", k));
            entities.put(name, new EntityDefinition(name, keys, tables.of(name)));
        }

        Map<String, SourceDefinition> sources = new LinkedHashMap<>();
        Config sc = root.getConfig("sources");
        for (String name : sortedKeys(root.getObject("sources"))) {
            sources.put(name, source(name, sc.getConfig(name)));
        }

        List<FeatureDefinition> defs = new ArrayList<>();
        Config dc = root.getConfig("definitions");
        for (String name : sortedKeys(root.getObject("definitions"))) {
            defs.add(definition(name, dc.getConfig(name), entities, sources, vocabularies));
        }

        List<DerivedFeature> derived = new ArrayList<>();
        if (root.hasPath("derived")) {
            Config dv = root.getConfig("derived");
            for (String name : sortedKeys(root.getObject("derived"))) {
                checkName("derived feature", name);
                Config d = dv.getConfig(name);
                if (!d.hasPath("expression") || d.getString("expression").isBlank()) {
                    throw new FeatureDefinitionException("derived feature '" + name + "': expression is required");
                }
                derived.add(new DerivedFeature(name, d.getString("expression"), optString(d, "description").orElse("")));
            }
        }
        Set<String> all = new TreeSet<>();
        for (FeatureDefinition d : defs) {
            all.add(d.name());
        }
        for (DerivedFeature d : derived) {
            if (!all.add(d.name())) {
                throw new FeatureDefinitionException("derived feature '" + d.name()
                        + "': a feature definition has the same name; feature names must be unique");
            }
        }
        return new FeatureRegistry(entities, sources, defs, derived);
    }

    private static SourceDefinition source(String name, Config c) {
        checkName("source", name);
        boolean hasTable = c.hasPath("table");
        boolean hasSql = c.hasPath("sql");
        if (hasTable == hasSql) {
            throw new FeatureDefinitionException("source '" + name + "': give exactly one of table or sql");
        }
        Optional<TableName> table = Optional.empty();
        if (hasTable) {
            try {
                table = Optional.of(TableName.parse(c.getString("table")));
            } catch (IllegalArgumentException e) {
                throw new FeatureDefinitionException("source '" + name + "': " + e.getMessage(), e);
            }
        }
        String time = optString(c, "time-column").orElse("event_time");
        Optional<String> timeColumn = "none".equals(time) ? Optional.empty() : Optional.of(time);
        return new SourceDefinition(name, table, hasSql ? Optional.of(c.getString("sql")) : Optional.empty(),
                timeColumn);
    }

    private static FeatureDefinition definition(String name, Config c, Map<String, EntityDefinition> entities,
                                                Map<String, SourceDefinition> sources,
                                                Map<String, List<String>> vocabularies) {
        checkName("feature", name);
        String where = "feature '" + name + "'";
        for (String key : c.root().keySet()) {
            if (!DEFINITION_KEYS.contains(key)) {
                throw new FeatureDefinitionException(where + ": unknown setting '" + key + "'; expected "
                        + new TreeSet<>(DEFINITION_KEYS));
            }
        }
        String entity = required(c, "entity", where);
        if (!entities.containsKey(entity)) {
            throw new FeatureDefinitionException(where + ": unknown entity '" + entity + "'; declared entities are "
                    + entities.keySet());
        }
        String sourceName = required(c, "source", where);
        SourceDefinition source = sources.get(sourceName);
        if (source == null) {
            throw new FeatureDefinitionException(where + ": unknown source '" + sourceName + "'; declared sources are "
                    + sources.keySet());
        }
        Aggregation agg;
        try {
            agg = Aggregation.parse(required(c, "aggregation", where));
        } catch (FeatureDefinitionException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new FeatureDefinitionException(where + ": " + e.getMessage(), e);
        }
        Optional<String> column = optString(c, "column");
        if (agg.needsColumn() && column.isEmpty()) {
            throw new FeatureDefinitionException(where + ": aggregation " + agg + " needs a column");
        }
        if (!agg.needsColumn() && column.isPresent()) {
            throw new FeatureDefinitionException(where + ": aggregation " + agg + " takes no column");
        }
        if (agg.kind() == Aggregation.Kind.ATTRIBUTE && !source.isStatic()) {
            throw new FeatureDefinitionException(where + ": " + agg + " transforms a static source (time-column = "
                    + "none), but source '" + sourceName + "' has time column " + source.timeColumn().get());
        }
        if (agg.kind() == Aggregation.Kind.EVENT && source.isStatic()) {
            throw new FeatureDefinitionException(where + ": " + agg + " folds events over time, but source '"
                    + sourceName + "' is static (time-column = none)");
        }
        Optional<Duration> window = window(c, where);
        if (window.isPresent() && (agg.kind() == Aggregation.Kind.ATTRIBUTE || agg == Aggregation.RECENCY_DAYS)) {
            throw new FeatureDefinitionException(where + ": aggregation " + agg + " takes no window");
        }
        if (agg == Aggregation.TREND && window.isEmpty()) {
            throw new FeatureDefinitionException(where + ": trend compares the window with the time before it, "
                    + "so it needs a window (for example window = 90d)");
        }
        List<String> vocabulary = List.of();
        if (agg.usesVocabulary()) {
            vocabulary = vocabulary(c, where, vocabularies);
        } else if (c.hasPath("vocabulary")) {
            throw new FeatureDefinitionException(where + ": aggregation " + agg + " takes no vocabulary");
        }
        double prior = c.hasPath("prior-weight") ? c.getDouble("prior-weight") : 10.0;
        if (agg == Aggregation.BAYESIAN_MEAN && !(prior > 0)) {
            throw new FeatureDefinitionException(where + ": prior-weight must be positive, got " + prior);
        }
        Optional<String> pattern = optString(c, "pattern");
        if (agg == Aggregation.REGEX_INT) {
            if (pattern.isEmpty()) {
                throw new FeatureDefinitionException(where + ": regex_int needs a pattern with one group");
            }
            try {
                if (Pattern.compile(pattern.get()).matcher("").groupCount() < 1) {
                    throw new FeatureDefinitionException(where + ": pattern '" + pattern.get() + "' has no group");
                }
            } catch (PatternSyntaxException e) {
                throw new FeatureDefinitionException(where + ": invalid pattern: " + e.getMessage(), e);
            }
        } else if (pattern.isPresent()) {
            throw new FeatureDefinitionException(where + ": aggregation " + agg + " takes no pattern");
        }
        boolean required;
        try {
            required = c.hasPath("required") && c.getBoolean("required");
        } catch (ConfigException.WrongType e) {
            throw new FeatureDefinitionException(where + ": required must be true or false", e);
        }
        return new FeatureDefinition(name, entity, sourceName, agg, column, window, vocabulary, prior, pattern,
                optString(c, "description").orElse(""), required);
    }

    private static Optional<Duration> window(Config c, String where) {
        if (!c.hasPath("window")) {
            return Optional.empty();
        }
        if ("all".equals(c.getValue("window").unwrapped())) {
            return Optional.empty();
        }
        try {
            Duration d = c.getDuration("window");
            if (d.isNegative() || d.isZero()) {
                throw new FeatureDefinitionException(where + ": window must be positive, got " + d);
            }
            return Optional.of(d);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new FeatureDefinitionException(where + ": window must be a duration such as 7d or 'all', got '"
                    + c.getValue("window").unwrapped() + "'", e);
        }
    }

    private static List<String> vocabulary(Config c, String where, Map<String, List<String>> vocabularies) {
        if (!c.hasPath("vocabulary")) {
            throw new FeatureDefinitionException(where + ": needs a vocabulary (a list, or the name of one in "
                    + ROOT + ".vocabularies)");
        }
        ConfigValue v = c.getValue("vocabulary");
        List<String> values;
        if (v.valueType() == ConfigValueType.STRING) {
            values = vocabularies.get((String) v.unwrapped());
            if (values == null) {
                throw new FeatureDefinitionException(where + ": unknown vocabulary '" + v.unwrapped()
                        + "'; declared vocabularies are " + vocabularies.keySet());
            }
        } else {
            values = c.getStringList("vocabulary");
        }
        if (values.isEmpty() || new TreeSet<>(values).size() != values.size()) {
            throw new FeatureDefinitionException(where + ": the vocabulary must be non-empty without duplicates");
        }
        return values;
    }

    private static String required(Config c, String key, String where) {
        return optString(c, key).orElseThrow(() -> new FeatureDefinitionException(where + ": " + key + " is required"));
    }

    private static Optional<String> optString(Config c, String key) {
        return c.hasPath(key) ? Optional.of(c.getString(key)) : Optional.empty();
    }

    private static void checkName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new FeatureDefinitionException(what + " '" + name + "': names must match " + NAME.pattern());
        }
    }

    private static List<String> sortedKeys(com.typesafe.config.ConfigObject o) {
        List<String> keys = new ArrayList<>(o.keySet());
        keys.sort(Comparator.naturalOrder());
        return keys;
    }

    public Map<String, EntityDefinition> entities() {
        return entities;
    }

    public EntityDefinition entity(String name) {
        EntityDefinition e = entities.get(name);
        if (e == null) {
            throw new FeatureDefinitionException("unknown entity '" + name + "'; declared entities are "
                    + entities.keySet());
        }
        return e;
    }

    public Map<String, SourceDefinition> sources() {
        return sources;
    }

    /** Every definition, in name order (which is also the column order of the feature tables). */
    public List<FeatureDefinition> definitions() {
        return definitions;
    }

    public List<FeatureDefinition> definitionsOf(String entity) {
        return definitions.stream().filter(d -> d.entity().equals(entity)).toList();
    }

    /** Entities with at least one definition, in name order. */
    public List<EntityDefinition> activeEntities() {
        return entities.values().stream().filter(e -> !definitionsOf(e.name()).isEmpty()).toList();
    }

    public List<DerivedFeature> derived() {
        return derived;
    }

    /**
     * The same entities and sources with only the named definitions and derived features: what can run on a lake
     * where some sources are missing ({@link RunnableFeatures}).
     */
    FeatureRegistry keeping(Set<String> definitionNames, Set<String> derivedNames) {
        return new FeatureRegistry(entities, sources,
                definitions.stream().filter(d -> definitionNames.contains(d.name())).toList(),
                derived.stream().filter(d -> derivedNames.contains(d.name())).toList());
    }
}
