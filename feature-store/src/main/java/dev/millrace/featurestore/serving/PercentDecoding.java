package dev.millrace.featurestore.serving;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one percent-encoded part of a request target (a path segment or a query name or value) as RFC 3986 says:
 * {@code %XX} is one byte, the bytes are UTF-8, everything else is itself ({@code +} stays {@code +}). The server
 * splits the raw path on {@code /} first and decodes each segment after, so {@code %2F} is a character of an id, not
 * a separator. A {@code %} without two hex digits, or bytes that are not UTF-8, are refused (the caller answers 400).
 */
final class PercentDecoding {

    private PercentDecoding() {
    }

    /** The decoded text; throws {@link HttpError} 400 naming {@code what} when the encoding is malformed. */
    static String decode(String what, String raw) {
        int first = raw.indexOf('%');
        if (first < 0) {
            return ascii(what, raw);
        }
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw HttpError.badRequest(what + ": '%' must be followed by two hex digits (percent-encoding), in '"
                            + clip(raw) + "'");
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                throw notAscii(what, raw);
            }
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest(what + ": the percent-encoded bytes are not UTF-8, in '" + clip(raw) + "'");
        }
    }

    /** A segment without escapes must still be ASCII: a raw non-ASCII request byte is not a valid URI character. */
    private static String ascii(String what, String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) >= 0x80) {
                throw notAscii(what, raw);
            }
        }
        return raw;
    }

    private static HttpError notAscii(String what, String raw) {
        return HttpError.badRequest(what + ": non-ASCII characters must be percent-encoded as UTF-8, in '" + clip(raw) + "'");
    }

    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
