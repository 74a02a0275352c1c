package dev.millrace.streaming.cli;

import dev.millrace.core.config.MillraceConfig;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The options of every streaming command (the same as the Spark commands'): --conf, --lake and -D overrides. */
public final class CommonOptions {

    @Option(names = "--conf", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "HOCON config file layered over the defaults (default: $MILLRACE_DEFAULT_CONF).")
    File confFile;

    @Option(names = "--lake", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Lake root; same as -Dmillrace.lake.root=DIR.")
    String lake;

    @Option(names = "-D", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
            description = "Override one setting, e.g. -Dmillrace.kafka.bootstrap-servers=host:9092.")
    Map<String, String> overrides = new LinkedHashMap<>();

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
