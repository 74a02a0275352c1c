package dev.millrace.jobs.sql;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a query result for people (an aligned table) or for programs (CSV with a header, or JSON Lines). Only the
 * first {@code limit} rows travel to the driver; the printer says when it stopped there.
 */
public final class ResultPrinter {

    private static final int MAX_CELL = 80;

    private final PrintStream out;

    public ResultPrinter(PrintStream out) {
        this.out = out;
    }

    public void print(Dataset<Row> df, ResultFormat format, int limit) {
        if (format == ResultFormat.JSON) {
            List<String> lines = df.toJSON().limit(limit + 1).collectAsList();
            lines.stream().limit(limit).forEach(out::println);
            more(lines.size() > limit, limit);
            return;
        }
        List<Row> rows = df.limit(limit + 1).collectAsList();
        String[] names = java.util.Arrays.stream(df.schema().fields()).map(StructField::name).toArray(String[]::new);
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows.subList(0, Math.min(limit, rows.size()))) {
            String[] c = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                c[i] = render(r.get(i));
            }
            cells.add(c);
        }
        if (format == ResultFormat.CSV) {
            out.println(csvLine(names));
            cells.forEach(c -> out.println(csvLine(c)));
        } else {
            table(names, cells);
            out.println("(" + cells.size() + (cells.size() == 1 ? " row)" : " rows)"));
        }
        more(rows.size() > limit, limit);
    }

    private void more(boolean truncated, int limit) {
        if (truncated) {
            System.err.println("(showing the first " + limit + " rows; use --limit to see more)");
        }
    }

    private void table(String[] names, List<String[]> cells) {
        int[] width = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            width[i] = names[i].length();
            for (String[] c : cells) {
                width[i] = Math.max(width[i], Math.min(MAX_CELL, c[i].length()));
            }
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        out.println(rule);
        out.println(row(names, width));
        out.println(rule);
        for (String[] c : cells) {
            out.println(row(c, width));
        }
        out.println(rule);
    }

    private static String row(String[] c, int[] width) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < c.length; i++) {
            String v = c[i].length() > MAX_CELL ? c[i].substring(0, MAX_CELL - 3) + "..." : c[i];
            sb.append(' ').append(v).append(" ".repeat(width[i] - v.length())).append(" |");
        }
        return sb.toString();
    }

    static String render(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof scala.collection.Seq<?> seq) {
            return scala.jdk.javaapi.CollectionConverters.asJava(seq).toString();
        }
        if (v instanceof Row r) {
            return r.toString();
        }
        return String.valueOf(v);
    }

    static String csvLine(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells[i];
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
