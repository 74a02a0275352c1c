package dev.millrace.featurestore.serving;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** A secret a request must carry as {@code Authorization: Bearer <token>}, compared in constant time. */
final class BearerToken {

    private final byte[] secret;

    BearerToken(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    boolean admits(HttpServerExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        byte[] given = auth != null && auth.startsWith("Bearer ")
                ? auth.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        return MessageDigest.isEqual(given, secret);
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
