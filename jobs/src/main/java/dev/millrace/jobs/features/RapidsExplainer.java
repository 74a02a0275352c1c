package dev.millrace.jobs.features;

import org.apache.spark.sql.Dataset;
import org.apache.spark.util.MutableURLClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks NVIDIA Spark RAPIDS which parts of a DataFrame's physical plan would run on a GPU, on a machine without one
 * ({@code com.nvidia.spark.rapids.ExplainPlan.explainPotentialGpuPlan}), and parses its answer.
 *
 * <p>The RAPIDS jar (about 1 GB) is never shaded into ours nor put on the application class path: plain
 * {@code java -cp} with it fails (its shim loader needs a class loader it can add URLs to). It is either already
 * loaded (spark-submit {@code --jars}) or loaded here through a Spark {@link MutableURLClassLoader} made the thread's
 * context class loader, as ../shared/STACK.md found to work. Called by reflection: nothing of ours compiles against it.
 */
public final class RapidsExplainer {

    private static final Logger LOG = LoggerFactory.getLogger(RapidsExplainer.class);
    private static final String EXPLAIN_CLASS = "com.nvidia.spark.rapids.ExplainPlan";
    /** "  !Exec <ProjectExec> cannot run on GPU because ..." and friends: indent, marker, kind, name, text. */
    private static final Pattern LINE = Pattern.compile("^(\\s*)([*!#@])(\\w+) <([^>]+)> (.*)$");

    /** One node of RAPIDS' answer. */
    public record Node(int depth, char marker, String kind, String name, String text) {
        /** '*' will run on the GPU, '!' cannot, '#' is removed by RAPIDS, '@' could (inside a CPU node). */
        public boolean notOnGpu() {
            return marker == '!';
        }

        public boolean isExec() {
            return kind.equals("Exec");
        }

        /** The reason RAPIDS gives, without the node's own text. */
        public String reason() {
            int at = text.indexOf("because ");
            return at < 0 ? text : text.substring(at + "because ".length());
        }
    }

    private final Method explain;

    private RapidsExplainer(Method explain) {
        this.explain = explain;
    }

    /**
     * Finds RAPIDS on the context class loader, or loads {@code jar} through a new {@link MutableURLClassLoader} that
     * becomes the thread's context class loader (call before the SparkSession starts where possible).
     */
    public static RapidsExplainer load(File jar) {
        ClassLoader current = Thread.currentThread().getContextClassLoader();
        try {
            return new RapidsExplainer(method(Class.forName(EXPLAIN_CLASS, true, current)));
        } catch (ClassNotFoundException notLoaded) {
            if (jar == null || !jar.isFile()) {
                throw new IllegalStateException("the RAPIDS jar was not found (" + jar + "): set millrace.gpu.rapids-jar "
                        + "or MILLRACE_RAPIDS_JAR to rapids-4-spark_2.13-<version>.jar, or run bin/fetch-rapids, which "
                        + "copies it from Maven Central to .cache/rapids/");
            }
            try {
                MutableURLClassLoader loader = new MutableURLClassLoader(new URL[]{jar.toURI().toURL()}, current);
                Thread.currentThread().setContextClassLoader(loader);
                LOG.info("loaded RAPIDS from {}", jar);
                return new RapidsExplainer(method(Class.forName(EXPLAIN_CLASS, true, loader)));
            } catch (ClassNotFoundException | MalformedURLException e) {
                throw new IllegalStateException("cannot load RAPIDS from " + jar + ": " + e, e);
            }
        }
    }

    private static Method method(Class<?> c) {
        try {
            return c.getMethod("explainPotentialGpuPlan", Dataset.class, String.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("this RAPIDS version has no ExplainPlan.explainPotentialGpuPlan", e);
        }
    }

    /** RAPIDS' text for the whole plan ("ALL" mode: every node, on the GPU or not). */
    public String explainText(Dataset<?> frame) {
        try {
            return (String) explain.invoke(null, frame, "ALL");
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("RAPIDS could not explain the plan: " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Node> explain(Dataset<?> frame) {
        return parse(explainText(frame));
    }

    static List<Node> parse(String text) {
        List<Node> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                out.add(new Node(m.group(1).length() / 2, m.group(2).charAt(0), m.group(3), m.group(4), m.group(5)));
            }
        }
        return out;
    }
}
