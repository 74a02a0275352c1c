package dev.millrace.jobs.features.bench;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SparkSessions;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.features.FeaturesJob;
import dev.millrace.jobs.features.GpuAllowlist;
import dev.millrace.jobs.features.GpuPlanCommand;
import dev.millrace.jobs.features.GpuVerdict;
import dev.millrace.jobs.features.RapidsExplainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bench/run features: the features job (one snapshot date, every declared feature, written to the offline store)
 * against a plain scan-and-aggregate of the same silver.ratings table (per-user and per-item count, mean and latest
 * time, written to Delta the same way), alternating in one JVM; then the share of the features plans' operators that
 * RAPIDS would run on a GPU. Usage: FeaturesBench LAKE [ROUNDS]. Last line:
 * {@code features ratio=<features s / baseline s> features_s=.. baseline_s=.. events=.. gpu_share=..}.
 */
public final class FeaturesBench {

    private FeaturesBench() {
    }

    public static void main(String[] args) throws Exception {
        String lakeRoot = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        // RAPIDS must be on the context class loader before the session starts (../shared/STACK.md).
        MillraceConfig config = MillraceConfig.defaults().with(Map.of("millrace.lake.root", lakeRoot,
                "millrace.spark.conf.\"spark.ui.enabled\"", "false"));
        RapidsExplainer rapids = RapidsExplainer.load(GpuPlanCommand.rapidsJar(config));
        SparkSession spark = SparkSessions.getOrCreate(config, "bench-features");
        Lake lake = Lake.from(config);
        FeaturesJob job = new FeaturesJob(spark, config);
        LocalDate date = job.latestEventDate();
        long events = spark.table("silver.ratings").count();
        SnapshotTimes times = SnapshotTimes.of(date);

        List<Double> featureTimes = new ArrayList<>();
        List<Double> baselineTimes = new ArrayList<>();
        time(() -> baseline(spark, lake)); // warm-up: JIT, file cache
        for (int i = 0; i < rounds; i++) {
            double f = time(() -> job.run(times, new RunReport("features")));
            double b = time(() -> baseline(spark, lake));
            featureTimes.add(f);
            baselineTimes.add(b);
            System.out.printf("round %d: features %.1f s, baseline %.1f s, ratio %.2f%n", i + 1, f, b, f / b);
        }
        double f = median(featureTimes);
        double b = median(baselineTimes);

        spark.conf().set("spark.sql.adaptive.enabled", "false");
        spark.conf().set("spark.sql.exchange.reuse", "false");
        Map<String, Dataset<Row>> plans = new LinkedHashMap<>();
        for (Map.Entry<EntityDefinition, Dataset<Row>> e : job.plan(times).entrySet()) {
            plans.put("features:" + e.getKey().name(), e.getValue());
        }
        GpuVerdict verdict = GpuVerdict.judge(rapids, GpuAllowlist.load(GpuPlanCommand.allowlistFile(config)), plans);
        System.out.print(verdict.render());
        System.out.printf("features ratio=%.2f features_s=%.1f baseline_s=%.1f events=%d date=%s gpu_share=%.3f "
                        + "not_on_gpu=%d rounds=%d%n", f / b, f, b, events, date, verdict.gpuShare(),
                verdict.jobs().stream().mapToInt(j -> j.findings().size()).sum(), rounds);
        spark.stop();
    }

    /** What any job must at least do with this table: scan it, group by user and by item, write the result. */
    private static void baseline(SparkSession spark, Lake lake) {
        String out = lake.root() + "/_bench/baseline_";
        spark.sql("SELECT user_id, count(*) AS n, avg(rating) AS mean, max(event_time) AS last "
                + "FROM silver.ratings GROUP BY user_id").write().format("delta").mode("overwrite").save(out + "user");
        spark.sql("SELECT item_id, count(*) AS n, avg(rating) AS mean, max(event_time) AS last "
                + "FROM silver.ratings GROUP BY item_id").write().format("delta").mode("overwrite").save(out + "item");
    }

    private static double time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

}
