package dev.millrace.jobs.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one line's bytes strictly: invalid bytes are an error (and the row goes to quarantine), never silently
 * replaced. Pure-ASCII lines, the common case, skip the decoder. Not thread-safe: one per task.
 */
final class LineDecoder {

    /** Thrown for bytes the charset does not allow; the message names the offset and byte. */
    static final class InvalidEncoding extends Exception {
        InvalidEncoding(String message) {
            super(message, null, false, false);
        }
    }

    private final Charset charset;
    private final CharsetDecoder decoder;
    private final boolean asciiCompatible;

    LineDecoder(Charset charset) {
        this.charset = charset;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.asciiCompatible = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1);
    }

    String decode(byte[] bytes, int length) throws InvalidEncoding {
        if (asciiCompatible && isAscii(bytes, length)) {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (MalformedInputException e) {
            int offset = findBad(bytes, length);
            throw new InvalidEncoding("invalid " + charset.name() + " byte"
                    + (offset >= 0 ? String.format(" 0x%02X at byte %d", bytes[offset] & 0xFF, offset + 1) : ""));
        } catch (CharacterCodingException e) {
            throw new InvalidEncoding("bytes not valid in " + charset.name() + ": " + e);
        }
    }

    /** A readable rendering of bytes that did not decode: bad bytes become U+FFFD. */
    String lenient(byte[] bytes, int length) {
        return new String(bytes, 0, length, charset);
    }

    private int findBad(byte[] bytes, int length) {
        CharsetDecoder probe = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(length + 1);
        java.nio.charset.CoderResult r = probe.decode(in, out, true);
        return r.isError() ? in.position() : -1;
    }

    private static boolean isAscii(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
