package dev.millrace.featurestore.serving;

import dev.millrace.core.keys.EntityKey;
import dev.millrace.featurestore.online.Keyspace;

import java.util.Optional;

/**
 * The checks every route applies to what a request names, whether it came in the path (GET) or in a JSON body
 * (the batch routes): one place, so an id, a k or an entity is refused in the same words on every route.
 */
final class RequestRules {

    private RequestRules() {
    }

    /**
     * An id held to core's key rule (the rule of every layer), or a 400 naming {@code what} and the problem.
     *
     * @param how how such an id is written, appended to the rule in the message (", percent-encoded as UTF-8" in a path)
     */
    static String key(String what, String id, String how) {
        Optional<String> problem = EntityKey.problem(id);
        if (problem.isEmpty() && hasLoneSurrogate(id)) {
            // A path cannot produce one (its bytes must be UTF-8); a JSON "\ud800" can, and it has no UTF-8 form to look up.
            problem = Optional.of("holds an unpaired surrogate (not valid Unicode)");
        }
        if (problem.isPresent()) {
            throw HttpError.badRequest(what + " '" + EntityKey.abbreviate(id) + "' " + problem.get() + " (an id is "
                    + EntityKey.RULE + how + ")");
        }
        return id;
    }

    /** A k in {@code 1..maxK}, or a 400. */
    static int k(long k, int maxK) {
        if (k < 1 || k > maxK) {
            throw HttpError.badRequest("k must be from 1 to " + maxK + ", got " + k);
        }
        return (int) k;
    }

    /** The message for a k that is not an integer at all. */
    static HttpError notAnIntegerK(String given, int maxK) {
        return HttpError.badRequest("k must be an integer from 1 to " + maxK + ", got '" + PercentDecoding.clip(given) + "'");
    }

    /** An entity name ({@code [a-z][a-z0-9_]{0,63}}, as the feature keyspaces are named), or a 400. */
    static String entity(String entity) {
        if (!Keyspace.isValidEntity(entity)) {
            throw HttpError.badRequest("entity must be lower-case letters, digits and underscores, got '"
                    + PercentDecoding.clip(entity) + "'");
        }
        return entity;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
