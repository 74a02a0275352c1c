package dev.millrace.jobs.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line (RFC 4180: fields in double quotes may hold the delimiter, a quote is doubled inside quotes).
 * Hand-written rather than a CSV library because ingest works line by line (to keep exact line numbers and raw text)
 * and must tell an unbalanced quote apart from a valid line; libraries either read across lines or repair silently.
 * Records spanning several lines are therefore not supported: they are quarantined as unparseable.
 */
public final class CsvTokenizer implements Serializable {

    /** Thrown for a line that is not valid CSV. */
    public static final class MalformedLine extends Exception {
        public MalformedLine(String message) {
            super(message, null, false, false);
        }
    }

    private final char delimiter;
    private final char quote;

    public CsvTokenizer(char delimiter, char quote) {
        this.delimiter = delimiter;
        this.quote = quote;
    }

    /** Fields of the line; empty fields are empty strings. */
    public List<String> split(String line) throws MalformedLine {
        List<String> out = new ArrayList<>(8);
        int n = line.length();
        int i = 0;
        StringBuilder sb = null;
        while (true) {
            if (i < n && line.charAt(i) == quote) {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.setLength(0);
                i++;
                while (true) {
                    if (i >= n) {
                        throw new MalformedLine("unbalanced quote: the line ends inside a quoted field");
                    }
                    char c = line.charAt(i);
                    if (c == quote) {
                        if (i + 1 < n && line.charAt(i + 1) == quote) {
                            sb.append(quote);
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        sb.append(c);
                        i++;
                    }
                }
                out.add(sb.toString());
                if (i < n && line.charAt(i) != delimiter) {
                    throw new MalformedLine("unexpected character '" + line.charAt(i) + "' after a quoted field at "
                            + "position " + (i + 1));
                }
            } else {
                int end = line.indexOf(delimiter, i);
                if (end < 0) {
                    end = n;
                }
                String field = line.substring(i, end);
                if (field.indexOf(quote) >= 0) {
                    throw new MalformedLine("stray quote inside an unquoted field at position " + (i + 1));
                }
                out.add(field);
                i = end;
            }
            if (i >= n) {
                return out;
            }
            i++; // skip the delimiter
            if (i == n) {
                out.add("");
                return out;
            }
        }
    }
}
