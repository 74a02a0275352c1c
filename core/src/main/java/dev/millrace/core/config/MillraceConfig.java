package dev.millrace.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved Millrace configuration: Typesafe Config layered as system properties and {@code -D} overrides, then the
 * {@code --conf} file, then the defaults in {@code conf/application.conf} (shipped in the jar). Environment variables
 * enter through {@code ${?VAR}} substitutions in those files, so nothing reads the environment behind the config's back.
 */
public final class MillraceConfig {

    /** Class-path location of conf/application.conf inside the jar. */
    public static final String DEFAULTS_RESOURCE = "millrace/application.conf";

    private final Config config;

    private MillraceConfig(Config config) {
        this.config = config;
    }

    /**
     * Loads the configuration.
     *
     * @param confFile  the {@code --conf} file, or empty for the defaults alone
     * @param overrides {@code -Dkey=value} pairs given on the command line; they win over everything else
     */
    public static MillraceConfig load(Optional<File> confFile, Map<String, String> overrides) {
        Config defaults = ConfigFactory.parseResources(MillraceConfig.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config file = confFile.map(f -> {
            if (!f.isFile()) {
                throw new IllegalArgumentException("config file not found: " + f.getAbsolutePath());
            }
            return ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
        }).orElse(ConfigFactory.empty());
        Config merged = ConfigFactory.parseMap(overrides, "command-line -D")
                .withFallback(ConfigFactory.systemProperties())
                .withFallback(file)
                .withFallback(defaults)
                .resolve(ConfigResolveOptions.defaults());
        return new MillraceConfig(merged);
    }

    /** The defaults alone (plus system properties): for tests and embedded use. */
    public static MillraceConfig defaults() {
        return load(Optional.empty(), Map.of());
    }

    /** A copy with some settings replaced, for tests and for commands that set one value (such as {@code --lake}). */
    public MillraceConfig with(Map<String, ?> values) {
        return new MillraceConfig(ConfigFactory.parseMap(values).withFallback(config).resolve());
    }

    public Config raw() {
        return config;
    }

    public String getString(String path) {
        return read(path, config::getString);
    }

    public int getInt(String path) {
        return read(path, config::getInt);
    }

    public long getLong(String path) {
        return read(path, config::getLong);
    }

    public double getDouble(String path) {
        return read(path, config::getDouble);
    }

    public boolean getBoolean(String path) {
        return read(path, config::getBoolean);
    }

    public long getBytes(String path) {
        return read(path, config::getBytes);
    }

    public Duration getDuration(String path) {
        return read(path, config::getDuration);
    }

    public List<String> getStringList(String path) {
        return read(path, config::getStringList);
    }

    public Config getConfig(String path) {
        return read(path, config::getConfig);
    }

    public boolean hasPath(String path) {
        return config.hasPath(path);
    }

    private <T> T read(String path, java.util.function.Function<String, T> getter) {
        try {
            return getter.apply(path);
        } catch (ConfigException.Missing e) {
            throw new IllegalStateException("missing setting '" + path + "' (see conf/application.conf)", e);
        } catch (ConfigException.WrongType e) {
            throw new IllegalStateException("setting '" + path + "' has the wrong type: " + e.getMessage(), e);
        }
    }
}
