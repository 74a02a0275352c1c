package dev.millrace.jobs.demo;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import dev.millrace.jobs.generate.GeneratorSpec;
import dev.millrace.jobs.generate.MovieLensGenerator;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import dev.millrace.jobs.sql.ResultFormat;
import dev.millrace.jobs.sql.ResultPrinter;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * {@code millrace demo}: the pipeline end to end on generated data, in one process: generate, ingest (with a few
 * deliberately broken rows), then answer some questions with SQL over the resulting tables. Safe to run again: the
 * data is generated once per spec and ingest skips files it has seen.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the pipeline end to end on generated data: generate, ingest, SQL answers, features, training "
                + "set, export, train, evaluate, score, and show a few users' recommendations.",
        footer = {"", "Example:", "  bin/millrace demo --events 1000000"})
public final class DemoCommand extends SparkCommand {

    @Option(names = "--data", defaultValue = "data/demo", description = "Where the generated source files go "
            + "(default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--users", defaultValue = "2000", description = "Users (default: ${DEFAULT-VALUE}).")
    long users;

    @Option(names = "--items", defaultValue = "3000", description = "Movies (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--events", defaultValue = "300000", description = "Ratings (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    protected String jobName() {
        return "demo";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) throws Exception {
        GeneratorSpec spec = new GeneratorSpec(users, items, events, seed, 0.001,
                Instant.parse("2023-01-01T00:00:00Z"), Instant.parse("2024-12-31T23:59:59Z"));
        Path source = data.resolve("seed-" + seed + "-" + users + "u-" + items + "i-" + events + "e");
        step("1/9 generate " + events + " ratings from " + users + " users over " + items + " movies -> " + source);
        if (Files.exists(source.resolve("_generator.json"))) {
            System.out.println("    already generated (same spec); reusing it");
        } else {
            Map<String, Object> manifest = new MovieLensGenerator(spec).writeTo(source);
            System.out.println("    broken rows injected on purpose: " + manifest.get("bad_rating_lines"));
        }

        step("2/9 ingest into bronze, silver and quarantine (Delta, lake " + ctx.lake().root() + ")");
        RunReport ingest = new RunReport("ingest");
        int code = new IngestJob(ctx.spark(), ctx.config())
                .run(new IngestRequest(source.toString(), "movielens", null, null), ingest);
        ingest.write(ctx.lake().runsLocation(), ctx.spark().sparkContext().hadoopConfiguration());
        System.out.print(ingest.render().replaceAll("(?m)^", "    "));
        if (code != ExitCodes.OK) {
            return code;
        }

        step("3/9 SQL over the lake (try: bin/millrace sql \"SELECT ...\")");
        SparkSession spark = ctx.spark();
        ResultPrinter printer = new ResultPrinter(System.out);
        query(spark, printer, "Top 10 movies by number of ratings",
                "SELECT r.item_id, m.title, count(*) AS ratings, round(avg(r.rating), 2) AS mean_rating "
                        + "FROM silver.ratings r JOIN silver.movies m ON r.item_id = m.item_id "
                        + "GROUP BY r.item_id, m.title ORDER BY ratings DESC, r.item_id LIMIT 10");
        query(spark, printer, "Ratings per month (first 6)",
                "SELECT event_period AS month, count(*) AS ratings, count(DISTINCT user_id) AS users "
                        + "FROM silver.ratings GROUP BY event_period ORDER BY event_period LIMIT 6");
        query(spark, printer, "Quarantined rows by reason",
                "SELECT reason, count(*) AS rows, min(detail) AS example FROM quarantine.ratings "
                        + "GROUP BY reason ORDER BY rows DESC");
        report.put("source", source.toString());
        report.put("lake", ctx.lake().root());
        return new dev.millrace.jobs.training.DemoTraining(ctx, END).run(report);
    }

    /** The last day of the generated data: the logical date of the demo's training and scoring steps. */
    private static final java.time.LocalDate END = java.time.LocalDate.of(2024, 12, 31);

    private static void step(String s) {
        System.out.println();
        System.out.println("==> " + s);
    }

    private static void query(SparkSession spark, ResultPrinter printer, String title, String sql) {
        System.out.println();
        System.out.println("-- " + title);
        System.out.println("-- " + sql);
        printer.print(spark.sql(sql), ResultFormat.TABLE, 100);
    }
}
