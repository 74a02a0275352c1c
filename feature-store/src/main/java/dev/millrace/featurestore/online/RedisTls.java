package dev.millrace.featurestore.online;

import java.io.Serializable;
import java.util.Locale;

/**
 * TLS to Redis ({@code millrace.serving.redis.tls}): off, or on with the server's certificate checked against a trust
 * store (empty = the JVM's default one) and, with {@code verify = full}, its host name. A key store gives a client
 * certificate for servers that set {@code tls-auth-clients yes}. Paths must exist on every machine that opens the
 * store (the serving host, and Spark's executors when they publish). {@link #toString()} shows no password.
 *
 * @param verify {@code full} (chain and host name), {@code ca} (chain only) or {@code insecure} (no check: tests only)
 */
public record RedisTls(boolean enabled, String truststore, String truststorePassword, String truststoreType,
                       String verify, String keystore, String keystorePassword) implements Serializable {

    public static final RedisTls OFF = new RedisTls(false, "", "", "PKCS12", "full", "", "");

    public RedisTls {
        truststore = truststore == null ? "" : truststore;
        truststorePassword = truststorePassword == null ? "" : truststorePassword;
        keystore = keystore == null ? "" : keystore;
        keystorePassword = keystorePassword == null ? "" : keystorePassword;
        verify = verify == null ? "full" : verify.trim().toLowerCase(Locale.ROOT);
        if (!verify.equals("full") && !verify.equals("ca") && !verify.equals("insecure")) {
            throw new IllegalArgumentException("millrace.serving.redis.tls.verify must be full, ca or insecure, got '"
                    + verify + "'");
        }
    }

    /** On, trusting the certificates of {@code truststore} (PKCS12), host name checked. */
    public static RedisTls trusting(String truststore, String password) {
        return new RedisTls(true, truststore, password, "PKCS12", "full", "", "");
    }

    @Override
    public String toString() {
        return enabled ? "TLS (verify " + verify + (truststore.isEmpty() ? ", JVM trust store" : ", trust store " + truststore)
                + (keystore.isEmpty() ? "" : ", client certificate") + ")" : "no TLS";
    }
}
