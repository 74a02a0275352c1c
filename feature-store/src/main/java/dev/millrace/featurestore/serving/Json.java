package dev.millrace.featurestore.serving;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** The few JSON pieces the server writes by hand (hot path: no object mapping per request). */
final class Json {

    private Json() {
    }

    static StringBuilder string(StringBuilder sb, String s) {
        return sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
    }

    /** A JSON number, or null for NaN and infinities (which JSON cannot carry). */
    static StringBuilder number(StringBuilder sb, double d) {
        return Double.isFinite(d) ? sb.append(d) : sb.append("null");
    }

    static String error(String code, String message) {
        StringBuilder sb = new StringBuilder(64 + message.length()).append("{\"error\":");
        string(sb, code).append(",\"message\":");
        return string(sb, message).append('}').toString();
    }
}
