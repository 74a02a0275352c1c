package dev.millrace.core.cli;

import dev.millrace.core.config.MillraceConfig;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command takes, Spark's and the streaming module's alike: the config file, the lake root and
 * {@code -Dkey=value} overrides. Mixed into each command with picocli's {@code @Mixin}.
 */
public final class CommonOptions {

    @Option(names = "--conf", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "HOCON config file layered over the defaults (default: $MILLRACE_DEFAULT_CONF, "
                    + "which bin/millrace sets to conf/local.conf).")
    File confFile;

    @Option(names = "--lake", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Lake root (any Hadoop path); same as -Dmillrace.lake.root=DIR.")
    String lake;

    @Option(names = "-D", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
            description = "Override one setting, e.g. -Dmillrace.lake.buckets=16 or "
                    + "-Dmillrace.kafka.bootstrap-servers=host:9092.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Loads the configuration these options describe. */
    public MillraceConfig load() {
        Optional<File> file = Optional.ofNullable(confFile);
        if (file.isEmpty()) {
            String fallback = System.getenv("MILLRACE_DEFAULT_CONF");
            if (fallback != null && !fallback.isBlank() && new File(fallback).isFile()) {
                file = Optional.of(new File(fallback));
            }
        }
        Map<String, String> all = new LinkedHashMap<>(overrides);
        if (lake != null) {
            all.put("millrace.lake.root", lake);
        }
        return MillraceConfig.load(file, all);
    }
}
