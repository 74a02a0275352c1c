package dev.millrace.jobs.training.evaluate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The evaluation as a self-contained HTML page with an SVG bar chart per metric (no scripts, no downloads). */
public final class EvaluationChart {

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};

    private EvaluationChart() {
    }

    /**
     * @param methods method name -> metric name -> value, in display order
     */
    public static String html(String title, Map<String, Map<String, Double>> methods, List<String> metrics,
                              String verdict) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title><style>body{font-family:sans-serif;margin:24px}td,th{padding:4px 10px;text-align:right}"
                        + "</style></head><body><h2>").append(esc(title)).append("</h2><p>").append(esc(verdict))
                .append("</p><table><tr><th>method</th>");
        metrics.forEach(m -> sb.append("<th>").append(esc(m)).append("</th>"));
        sb.append("</tr>");
        methods.forEach((name, values) -> {
            sb.append("<tr><th>").append(esc(name)).append("</th>");
            metrics.forEach(m -> sb.append("<td>").append(String.format(Locale.ROOT, "%.4f",
                    values.getOrDefault(m, Double.NaN))).append("</td>"));
            sb.append("</tr>");
        });
        sb.append("</table>");
        int barW = 28;
        int chartH = 160;
        for (String metric : metrics) {
            double maxV = methods.values().stream().mapToDouble(v -> v.getOrDefault(metric, 0.0)).max().orElse(1);
            maxV = maxV <= 0 ? 1 : maxV;
            int w = 40 + methods.size() * (barW + 12);
            sb.append("<div style=\"display:inline-block;margin:12px\"><div>").append(esc(metric)).append("</div>")
                    .append("<svg width=\"").append(w).append("\" height=\"").append(chartH + 40).append("\">");
            int i = 0;
            for (Map.Entry<String, Map<String, Double>> e : methods.entrySet()) {
                double v = e.getValue().getOrDefault(metric, 0.0);
                int h = (int) Math.round(chartH * v / maxV);
                int x = 20 + i * (barW + 12);
                sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                                + "<title>%s %.4f</title></rect><text x=\"%d\" y=\"%d\" font-size=\"10\">%.3f</text>",
                        x, chartH - h + 14, barW, h, COLORS[i % COLORS.length], esc(e.getKey()), v, x,
                        chartH - h + 10, v));
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">%s</text>", x,
                        chartH + 28, esc(e.getKey().length() > 8 ? e.getKey().substring(0, 8) : e.getKey())));
                i++;
            }
            sb.append("</svg></div>");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    public static String write(String path, String html, Configuration conf) {
        Path p = new Path(path);
        try (FSDataOutputStream out = p.getFileSystem(conf).create(p, true)) {
            out.write(html.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
        return p.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
