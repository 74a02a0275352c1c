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
import java.time.LocalDate;
import java.util.Map;

/**
 * {@code millrace demo}: the whole product on generated data, in one process: generate, ingest (with a few
 * deliberately broken rows), SQL over the lake, features, training set, export, train, evaluate, score, publish, and
 * the HTTP API answering on a local port. Safe to run again: the data is generated once per spec, and every job
 * recognises inputs it has already processed, so a second run changes no table and still ends with served answers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole product on generated data: generate, ingest, SQL answers, features, training "
                + "set, export, train, evaluate, score, publish, then serve the HTTP API on a local port and show its "
                + "answers (with the curl lines that ask the same). The full log goes to <lake>/_logs/.",
        footer = {"", "Examples:", "  bin/millrace demo", "  bin/millrace demo --serve --port 8080   # keep serving until Ctrl-C",
                "  bin/millrace demo --events 1000000"})
public final class DemoCommand extends SparkCommand {

    /** Steps: generate, ingest, SQL, features, training-set, export, train, evaluate, score, publish, serve. */
    private static final int STEPS = 11;

    /** The last day of the generated data: the logical date of the demo's training and scoring steps. */
    private static final LocalDate END = LocalDate.of(2024, 12, 31);

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

    @Option(names = "--serve", description = "Keep the HTTP API running after the demo, until Ctrl-C.")
    boolean serve;

    @Option(names = "--port", defaultValue = "0", description = "Port of the demo's HTTP API (default: any free port).")
    int port;

    @Override
    protected String jobName() {
        return "demo";
    }

    @Override
    protected boolean printsOwnProgress() {
        return true;
    }

    @Override
    protected int run(JobContext ctx, RunReport report) throws Exception {
        DemoSteps steps = new DemoSteps(System.out, STEPS);
        GeneratorSpec spec = new GeneratorSpec(users, items, events, seed, 0.001,
                Instant.parse("2023-01-01T00:00:00Z"), Instant.parse("2024-12-31T23:59:59Z"));
        Path source = data.resolve("seed-" + seed + "-" + users + "u-" + items + "i-" + events + "e");
        steps.begin("generate " + events + " ratings from " + users + " users over " + items + " movies -> " + source);
        if (Files.exists(source.resolve("_generator.json"))) {
            steps.line("already generated (same spec); reusing it");
        } else {
            Map<String, Object> manifest = new MovieLensGenerator(spec).writeTo(source);
            steps.line("broken rows injected on purpose: " + manifest.get("bad_rating_lines"));
        }

        steps.begin("ingest into bronze, silver and quarantine (Delta, lake " + ctx.lake().root() + ")");
        RunReport ingest = new RunReport("ingest");
        int code = new IngestJob(ctx.spark(), ctx.config())
                .run(new IngestRequest(source.toString(), "movielens", null, null), ingest);
        ingest.write(ctx.lake().runsLocation(), ctx.spark().sparkContext().hadoopConfiguration());
        IngestLines.of(ingest).forEach(steps::line);
        if (code != ExitCodes.OK) {
            steps.end();
            return code;
        }

        steps.begin("SQL over the lake (try: bin/millrace sql \"SELECT ...\")");
        SparkSession spark = ctx.spark();
        ResultPrinter printer = new ResultPrinter(System.out);
        query(spark, printer, "Top 5 movies by number of ratings",
                "SELECT r.item_id, m.title, count(*) AS ratings, round(avg(r.rating), 2) AS mean_rating "
                        + "FROM silver.ratings r JOIN silver.movies m ON r.item_id = m.item_id "
                        + "GROUP BY r.item_id, m.title ORDER BY ratings DESC, r.item_id LIMIT 5");
        query(spark, printer, "Quarantined rows by reason",
                "SELECT reason, count(*) AS rows FROM quarantine.ratings GROUP BY reason ORDER BY rows DESC, reason");
        report.put("source", source.toString());
        report.put("lake", ctx.lake().root());

        boolean scored = new DemoTraining(ctx, END, steps).run(report);
        if (!scored) {
            steps.end();
            return ExitCodes.OK;
        }
        new DemoServing(ctx, steps).run(report, port, serve);
        steps.end();
        System.out.println();
        return ExitCodes.OK;
    }

    private static void query(SparkSession spark, ResultPrinter printer, String title, String sql) {
        System.out.println("-- " + title + ": " + sql);
        printer.print(spark.sql(sql), ResultFormat.TABLE, 100);
    }
}
