package dev.millrace.jobs.ingest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import dev.millrace.core.keys.KeyNormalisation;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a column mapping (HOCON; documented in docs/ingest.md, the MovieLens one is
 * {@code millrace/mappings/movielens.conf} in the jar) into {@link SourceSpec}s. Every mistake is reported with the
 * source's position in the file and the offending setting.
 */
public final class MappingFile {

    public static final String MOVIELENS_RESOURCE = "millrace/mappings/movielens.conf";

    private MappingFile() {
    }

    /** The built-in MovieLens layout. */
    public static List<SourceSpec> movieLens() {
        Config c = ConfigFactory.parseResources(MappingFile.class.getClassLoader(), MOVIELENS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        return parse(c, SourceFormat.CSV, MOVIELENS_RESOURCE);
    }

    /** A user's mapping file; {@code defaultFormat} comes from {@code --format}. */
    public static List<SourceSpec> read(File file, SourceFormat defaultFormat) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("mapping file not found: " + file.getAbsolutePath());
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot read mapping " + file + ": " + e.getMessage(), e);
        }
        return parse(c, defaultFormat, file.getPath());
    }

    static List<SourceSpec> parse(Config root, SourceFormat defaultFormat, String origin) {
        if (!root.hasPath("sources")) {
            throw new IllegalArgumentException("mapping " + origin + " has no 'sources' list");
        }
        List<SourceSpec> out = new ArrayList<>();
        List<? extends Config> sources = root.getConfigList("sources");
        for (int i = 0; i < sources.size(); i++) {
            Config s = sources.get(i);
            String where = "mapping " + origin + ", sources[" + i + "]";
            try {
                out.add(parseOne(s, defaultFormat));
            } catch (ConfigException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("mapping " + origin + " lists no sources");
        }
        return out;
    }

    private static SourceSpec parseOne(Config s, SourceFormat defaultFormat) {
        Entity entity = Entity.parse(s.getString("entity"));
        SourceFormat format = s.hasPath("format") ? SourceFormat.parse(s.getString("format")) : defaultFormat;
        String glob = s.hasPath("files") ? s.getString("files") : defaultGlob(entity, format);
        String charset = s.hasPath("charset") ? s.getString("charset") : "UTF-8";
        Config csv = s.hasPath("csv") ? s.getConfig("csv") : ConfigFactory.empty();
        char delimiter = oneChar(csv.hasPath("delimiter") ? csv.getString("delimiter") : ",", "csv.delimiter");
        char quote = oneChar(csv.hasPath("quote") ? csv.getString("quote") : "\"", "csv.quote");
        boolean header = !csv.hasPath("header") || csv.getBoolean("header");
        int expected = csv.hasPath("columns") ? csv.getInt("columns") : 0;
        Map<String, ColumnRef> columns = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : s.getConfig("columns").entrySet()) {
            columns.put(e.getKey(), ColumnRef.parse(String.valueOf(e.getValue().unwrapped())));
        }
        Config time = s.hasPath("event-time") ? s.getConfig("event-time") : ConfigFactory.empty();
        TimeFormat timeFormat = new TimeFormat(time.hasPath("format") ? time.getString("format") : "epoch_seconds",
                time.hasPath("zone") ? time.getString("zone") : "UTC");
        Map<String, KeyNormalisation> normalise = new LinkedHashMap<>();
        if (s.hasPath("normalise")) {
            for (Map.Entry<String, ConfigValue> e : s.getConfig("normalise").root().entrySet()) {
                String field = e.getKey();
                List<String> steps = s.getConfig("normalise").getStringList(ConfigUtil.joinPath(field));
                normalise.put(field, KeyNormalisation.parse(steps));
            }
        }
        DuplicatePolicy duplicates = s.hasPath("duplicates") ? DuplicatePolicy.parse(s.getString("duplicates"))
                : DuplicatePolicy.REJECT;
        NegativeWeights negative = s.hasPath("negative-weights")
                ? NegativeWeights.parse(s.getString("negative-weights")) : NegativeWeights.QUARANTINE;
        return new SourceSpec(entity, glob, format, charset, delimiter, quote, header, expected, columns, timeFormat,
                normalise, duplicates, negative);
    }

    private static String defaultGlob(Entity entity, SourceFormat format) {
        return entity.tableName() + "*." + format.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static char oneChar(String s, String setting) {
        String t = s.equals("\\t") ? "\t" : s;
        if (t.length() != 1) {
            throw new IllegalArgumentException(setting + " must be one character, got '" + s + "'");
        }
        return t.charAt(0);
    }
}
