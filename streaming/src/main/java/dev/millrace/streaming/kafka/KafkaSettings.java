package dev.millrace.streaming.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.millrace.core.config.MillraceConfig;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How to reach Kafka, from {@code millrace.kafka}: the bootstrap servers plus the client properties of its
 * {@code kafka} block passed through unchanged (security.protocol, sasl.*, ssl.*), so a secured external cluster
 * needs only conf. {@link #toString()} names the keys, never the values (they may hold secrets).
 */
public final class KafkaSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;

    public KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("millrace.kafka.bootstrap-servers is empty: name the brokers (host:port,...)"
                    + " in conf or with -Dmillrace.kafka.bootstrap-servers=...");
        }
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    public static KafkaSettings from(MillraceConfig config) {
        Map<String, String> props = new TreeMap<>();
        if (config.hasPath("millrace.kafka.kafka")) {
            Config block = config.getConfig("millrace.kafka.kafka");
            for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
                Object v = e.getValue().unwrapped();
                if (v != null && !String.valueOf(v).isEmpty()) {
                    props.put(e.getKey().replace("\"", ""), String.valueOf(v));
                }
            }
        }
        return new KafkaSettings(config.getString("millrace.kafka.bootstrap-servers"), props);
    }

    /** The same client properties with other brokers (a local broker started by the command itself). */
    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, clientProperties);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Passthrough client properties, without bootstrap.servers. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** bootstrap.servers plus the passthrough properties, for any Kafka client. */
    public Properties clientConfig() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    @Override
    public String toString() {
        return "Kafka(" + bootstrapServers + ", client properties " + clientProperties.keySet() + ")";
    }
}
