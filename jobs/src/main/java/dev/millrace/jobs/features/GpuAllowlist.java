package dev.millrace.jobs.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operators allowed to stay on the CPU in GPU-ready jobs, each with a reason (conf/gpu-allowlist.conf). An entry
 * matches a job name (exact, or a prefix ending in '*'), the node name RAPIDS prints (ProjectExec, ScalaUDF, ...) and,
 * optionally, a piece of RAPIDS' reason. Anything not listed fails {@code gpu-plan} and its test.
 */
public final class GpuAllowlist {

    /** One allowed operator. */
    public record Entry(String job, String operator, String because, String reason) {
        boolean matches(String jobName, RapidsExplainer.Node node) {
            boolean jobOk = job.equals("*") || job.equals(jobName)
                    || (job.endsWith("*") && jobName.startsWith(job.substring(0, job.length() - 1)));
            return jobOk && operator.equals(node.name())
                    && (because.isEmpty() || node.text().toLowerCase(Locale.ROOT).contains(because.toLowerCase(Locale.ROOT)));
        }
    }

    private final List<Entry> entries;

    public GpuAllowlist(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static GpuAllowlist load(File file) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("GPU allowlist not found: " + file.getAbsolutePath());
        }
        Config c = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
        List<Entry> out = new ArrayList<>();
        for (Config e : c.getConfigList("allow")) {
            String reason = e.hasPath("reason") ? e.getString("reason").trim() : "";
            if (reason.isEmpty()) {
                throw new IllegalArgumentException(file + ": every entry needs a reason; " + e.root().render());
            }
            out.add(new Entry(e.getString("job"), e.getString("operator"),
                    e.hasPath("because") ? e.getString("because") : "", reason));
        }
        return new GpuAllowlist(out);
    }

    /** The entry that allows this node in this job, or null. */
    public Entry allowing(String job, RapidsExplainer.Node node) {
        return entries.stream().filter(e -> e.matches(job, node)).findFirst().orElse(null);
    }

    public List<Entry> entries() {
        return entries;
    }
}
