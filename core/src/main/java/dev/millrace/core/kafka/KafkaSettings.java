package dev.millrace.core.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.millrace.core.config.MillraceConfig;
import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * How to reach Kafka, from {@code millrace.kafka}: the bootstrap servers plus every client property of its
 * {@code kafka} block passed through as it is (security.protocol, sasl.*, ssl.*), so an external, secured cluster
 * needs only conf. The one reader of that block for every engine: plain clients (producer, admin, Flink's source and
 * sink) take {@link #clientConfig()}, Spark's Kafka source {@link #sparkSourceOptions()}. Values are never logged:
 * {@link #toString()} names the keys only.
 */
public final class KafkaSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The conf block. */
    public static final String PATH = "millrace.kafka";

    /** Consumer settings Spark's Kafka source manages per query: it rejects them, or (group.id) shares one group. */
    public static final Set<String> NOT_FOR_SPARK_SOURCE = Set.of("group.id", "auto.offset.reset", "key.deserializer",
            "value.deserializer", "enable.auto.commit", "interceptor.classes", "key.serializer", "value.serializer");

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;

    public KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException(PATH + ".bootstrap-servers is empty: name the Kafka brokers "
                    + "(host:port,...) in conf or with -D" + PATH + ".bootstrap-servers=...");
        }
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    public static KafkaSettings from(MillraceConfig config) {
        if (!config.hasPath(PATH + ".bootstrap-servers")) {
            throw new IllegalArgumentException(PATH + ".bootstrap-servers is not set");
        }
        Map<String, String> props = new TreeMap<>();
        if (config.hasPath(PATH + ".kafka")) {
            props.putAll(flatten(config.getConfig(PATH + ".kafka")));
        }
        return new KafkaSettings(config.getString(PATH + ".bootstrap-servers"), props);
    }

    /** The same client properties with other brokers (a local broker started by the command itself). */
    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, clientProperties);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The passthrough client properties (without bootstrap.servers). */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** Properties for a plain Kafka client (producer, admin): bootstrap.servers plus the passthrough ones. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> out = new TreeMap<>(clientProperties);
        out.put("bootstrap.servers", bootstrapServers);
        return out;
    }

    /** {@link #clientConfig()} as {@link Properties}, for clients and builders that take those. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.putAll(clientConfig());
        return p;
    }

    /**
     * Options for Spark's Kafka source: the same properties with Spark's {@code kafka.} prefix, less those the source
     * manages itself and refuses ({@link #NOT_FOR_SPARK_SOURCE}), which the shared block may hold for other clients.
     */
    public Map<String, String> sparkSourceOptions() {
        Map<String, String> out = new TreeMap<>();
        clientProperties.forEach((k, v) -> {
            if (!NOT_FOR_SPARK_SOURCE.contains(k)) {
                out.put("kafka." + k, v);
            }
        });
        out.put("kafka.bootstrap.servers", bootstrapServers);
        return out;
    }

    private static Map<String, String> flatten(Config block) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
            Object v = e.getValue().unwrapped();
            if (v != null && !String.valueOf(v).isEmpty()) {
                out.put(e.getKey().replace("\"", ""), String.valueOf(v));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Kafka(" + bootstrapServers + ", properties " + clientProperties.keySet() + ")";
    }
}
