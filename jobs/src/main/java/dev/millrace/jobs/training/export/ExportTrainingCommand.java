package dev.millrace.jobs.training.export;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.LogicalDates;
import dev.millrace.jobs.training.TrainingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.Optional;

/** {@code millrace export-training}: the training set as N balanced, deterministically shuffled Parquet shards. */
@Command(name = "export-training", mixinStandardHelpOptions = true,
        description = {"Export millrace.training-set.table as N Parquet shards of balanced row counts (worker i of N "
                + "reads shard i), shuffled deterministically by the seed, plus manifest.json (schema, rows per shard, "
                + "feature statistics, vocabularies, source Delta version).",
                "The same date, table version, seed and shard count leave an existing export unchanged."},
        footer = {"", "Examples:",
                "  bin/millrace export-training --shards 8",
                "  bin/millrace export-training --shards 4 --date 2018-09-24 --seed 7 --out /tmp/export"})
public final class ExportTrainingCommand extends SparkCommand {

    @Option(names = "--shards", paramLabel = "N", description = "Shards (default: millrace.training.export.shards).")
    Integer shards;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date (default: the date of the latest interaction).")
    LocalDate date;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder (default: <lake>/exports/training/<date>).")
    String out;

    @Option(names = "--seed", paramLabel = "S", description = "Shuffle seed (default: millrace.training.export.seed).")
    Long seed;

    @Override
    protected String jobName() {
        return "export-training";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        TrainingSettings s = TrainingSettings.from(ctx.config());
        ctx.catalog().registerAll();
        LocalDate d = LogicalDates.resolve(Optional.ofNullable(date), ctx.spark(),
                TrainingSetSettings.from(ctx.config()).labels().qualified());
        TrainingExport.Result r = new TrainingExport(ctx.spark(), ctx.config()).run(d,
                shards == null ? s.shards() : shards, seed == null ? s.exportSeed() : seed, Optional.ofNullable(out));
        report.put("logical_date", d.toString());
        report.put("folder", r.manifest().folder());
        report.put("unchanged", r.unchanged());
        report.put("source", r.manifest().sourceTable() + " v" + r.manifest().sourceVersion());
        report.put("rows", r.manifest().totalRows());
        report.put("shards", r.manifest().shards().size());
        report.put("rows_per_shard", r.manifest().shards().stream().map(ExportManifest.Shard::rows).toList().toString());
        report.put("features", r.manifest().features().size());
        return ExitCodes.OK;
    }
}
