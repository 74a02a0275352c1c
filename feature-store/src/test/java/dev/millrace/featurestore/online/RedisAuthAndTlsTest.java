package dev.millrace.featurestore.online;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Redis store against real redis-servers that demand credentials (requirepass, an ACL user limited to the
 * store's key prefix) and TLS (a server certificate made here with openssl): publish and read work with the right
 * settings, and the wrong ones fail with a store error that shows no secret.
 */
class RedisAuthAndTlsTest {

    private static final String PASSWORD = "default-user-pw-0123";
    private static final String ACL_PASSWORD = "millrace-acl-pw-4567";

    @TempDir
    static Path temp;

    @Test
    void aPasswordProtectedServerNeedsThePassword() {
        try (RedisServer server = RedisServer.start(List.of("--requirepass", PASSWORD))) {
            StoreSettings.Builder base = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", server.port())
                    .redisKeyPrefix("auth:").redisTimeout(Duration.ofSeconds(2)).batchSize(10);
            try (OnlineStore store = OnlineStores.open(base.redisCredentials("", PASSWORD).build())) {
                assertPublishesAndReads(store);
            }
            for (String wrong : new String[] {"", "wrong-pw-0000000000"}) {
                StoreSettings settings = base.redisCredentials("", wrong).build();
                try (OnlineStore store = OnlineStores.open(settings)) {
                    assertThatThrownBy(store::ping).isInstanceOf(OnlineStoreException.class)
                            .satisfies(e -> assertThat(e.getMessage() + e.getCause()).doesNotContain(PASSWORD)
                                    .doesNotContain(wrong.isEmpty() ? PASSWORD : wrong));
                }
            }
        }
    }

    @Test
    void anAclUserLimitedToTheKeyPrefixCanPublishAndRead() {
        // The user may touch only keys under its prefix; the default user is off, so nothing works without the user.
        try (RedisServer server = RedisServer.start(List.of("--user", "default", "off",
                "--user", "millrace", "on", ">" + ACL_PASSWORD, "~acl:*", "+@all"))) {
            StoreSettings.Builder base = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", server.port())
                    .redisTimeout(Duration.ofSeconds(2)).batchSize(10);
            StoreSettings good = base.redisKeyPrefix("acl:").redisCredentials("millrace", ACL_PASSWORD).build();
            assertThat(good.toString()).contains("user millrace").contains("password set").doesNotContain(ACL_PASSWORD);
            try (OnlineStore store = OnlineStores.open(good)) {
                assertPublishesAndReads(store);
            }
            // The same user outside its prefix is refused by the server's ACL.
            try (OnlineStore store = OnlineStores.open(base.redisKeyPrefix("other:")
                    .redisCredentials("millrace", ACL_PASSWORD).build())) {
                assertThatThrownBy(store::beginPublish).isInstanceOf(OnlineStoreException.class);
            }
            try (OnlineStore store = OnlineStores.open(base.redisKeyPrefix("acl:").redisCredentials("", "").build())) {
                assertThatThrownBy(store::ping).isInstanceOf(OnlineStoreException.class);
            }
        }
    }

    @Test
    void aTlsOnlyServerIsReachedOverTlsWithItsCertificateTrusted() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("tls"));
        Path key = dir.resolve("server.key");
        Path cert = dir.resolve("server.crt");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        Path trust = dir.resolve("trust.p12");
        writeTrustStore(cert, trust, "trust-pw");
        try (RedisServer server = RedisServer.start(List.of("--port", "0", "--tls-port", "PORT",
                "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(), "--tls-auth-clients", "no",
                "--requirepass", PASSWORD))) {
            StoreSettings.Builder base = StoreSettings.builder(StoreSettings.Kind.REDIS).redis("127.0.0.1", server.port())
                    .redisKeyPrefix("tls:").redisCredentials("", PASSWORD).redisTimeout(Duration.ofSeconds(3)).batchSize(10);
            StoreSettings tls = base.redisTls(RedisTls.trusting(trust.toString(), "trust-pw")).build();
            assertThat(tls.toString()).contains("TLS (verify full").doesNotContain("trust-pw").doesNotContain(PASSWORD);
            try (OnlineStore store = OnlineStores.open(tls)) {
                assertPublishesAndReads(store);
            }
            // Plain text to a TLS port fails; so does TLS with a trust store that does not hold the server's certificate.
            try (OnlineStore store = OnlineStores.open(base.redisTls(RedisTls.OFF).build())) {
                assertThatThrownBy(store::ping).isInstanceOf(OnlineStoreException.class);
            }
            try (OnlineStore store = OnlineStores.open(base.redisTls(new RedisTls(true, "", "", "PKCS12", "full", "", ""))
                    .build())) {
                assertThatThrownBy(store::ping).isInstanceOf(OnlineStoreException.class);
            }
        }
    }

    private static void assertPublishesAndReads(OnlineStore store) {
        store.ping();
        VersionPointer p = OnlineStoreContract.publish(store, 5);
        assertThat(OnlineStoreContract.text(store.lookup(Keyspace.RECOMMENDATIONS, "3").value()))
                .isEqualTo("v" + p.current() + ":3");
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ":\n" + out).isZero();
    }

    private static void writeTrustStore(Path cert, Path out, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = new FileInputStream(cert.toFile())) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            ks.setCertificateEntry("redis", c);
        }
        try (OutputStream os = Files.newOutputStream(out)) {
            ks.store(os, password.toCharArray());
        }
    }
}
