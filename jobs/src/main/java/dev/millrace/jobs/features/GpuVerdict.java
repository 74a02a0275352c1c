package dev.millrace.jobs.features;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RAPIDS' answer for every preprocessing job, judged against the allowlist: per job, how many physical operators
 * would run on the GPU and each node that would not, allowed (with the allowlist's reason) or not.
 */
public record GpuVerdict(List<Job> jobs) {

    /** A node that would stay on the CPU; {@code allowedBy} is null when nothing allows it. */
    public record Finding(String job, RapidsExplainer.Node node, GpuAllowlist.Entry allowedBy) {
        public boolean allowed() {
            return allowedBy != null;
        }
    }

    /** One job's plan: physical operators in all, on the GPU, and the nodes that are not. */
    public record Job(String name, int execs, int execsOnGpu, List<Finding> findings) {
        /** Share of the physical operators (Exec nodes RAPIDS keeps) that would run on the GPU. */
        public double gpuShare() {
            return execs == 0 ? 1.0 : (double) execsOnGpu / execs;
        }

        public List<Finding> violations() {
            return findings.stream().filter(f -> !f.allowed()).toList();
        }
    }

    /** Explains and judges each named plan. */
    public static GpuVerdict judge(RapidsExplainer rapids, GpuAllowlist allowlist, Map<String, Dataset<Row>> plans) {
        List<Job> jobs = new ArrayList<>();
        for (Map.Entry<String, Dataset<Row>> p : plans.entrySet()) {
            List<RapidsExplainer.Node> nodes = rapids.explain(p.getValue());
            int execs = 0;
            int onGpu = 0;
            List<Finding> findings = new ArrayList<>();
            for (RapidsExplainer.Node n : nodes) {
                if (n.isExec() && n.marker() != '#') {
                    execs++;
                    if (n.marker() == '*') {
                        onGpu++;
                    }
                }
                if (n.notOnGpu()) {
                    findings.add(new Finding(p.getKey(), n, allowlist.allowing(p.getKey(), n)));
                }
            }
            jobs.add(new Job(p.getKey(), execs, onGpu, findings));
        }
        return new GpuVerdict(jobs);
    }

    public boolean ok() {
        return violations().isEmpty();
    }

    public List<Finding> violations() {
        return jobs.stream().flatMap(j -> j.violations().stream()).toList();
    }

    /** Operators on the GPU over operators in all, across every job. */
    public double gpuShare() {
        int execs = jobs.stream().mapToInt(Job::execs).sum();
        return execs == 0 ? 1.0 : (double) jobs.stream().mapToInt(Job::execsOnGpu).sum() / execs;
    }

    /** The per-job report, printed by {@code gpu-plan}. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Job j : jobs) {
            sb.append(String.format("%-22s %3d/%-3d operators on GPU (%.0f%%)%s%n", j.name(), j.execsOnGpu(), j.execs(),
                    100 * j.gpuShare(), j.violations().isEmpty() ? "" : "  NOT GPU-READY"));
            for (Finding f : j.findings()) {
                sb.append(String.format("    %s %s <%s>: %s%n", f.allowed() ? "allowed " : "CPU-ONLY", f.node().kind(),
                        f.node().name(), f.node().reason()));
                if (f.allowed()) {
                    sb.append("             (allowlist: ").append(f.allowedBy().reason()).append(")\n");
                }
            }
        }
        sb.append(ok() ? "every job is GPU-ready (apart from allowlisted operators)\n"
                : violations().size() + " operator(s) would not run on the GPU and are not in the allowlist\n");
        return sb.toString();
    }

    /** Per-job numbers for the run report. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Job j : jobs) {
            out.put(j.name(), j.execsOnGpu() + "/" + j.execs() + " on GPU, " + j.violations().size() + " not allowed");
        }
        return out;
    }
}
