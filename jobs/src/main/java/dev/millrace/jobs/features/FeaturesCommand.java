package dev.millrace.jobs.features;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.offline.LakeSources;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;

/** {@code millrace features}: the declared features into the offline store, for one date or a range of dates. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = {"Compute the features declared under millrace.features into features.<entity>_features.",
                "The snapshot of date D describes each entity at the end of D (events before D+1 00:00 UTC); "
                        + "its feature_ts is D+1 00:00 UTC. Re-running a date replaces that date only.",
                "Without --date or --from, computes the date of the latest ingested event.",
                "A feature whose source is not in the lake (a feed of interactions only has no tags or movies) is "
                        + "skipped with one line saying so, unless its definition says required = true; --list "
                        + "shows which features can run on this lake."},
        footer = {"", "Examples:",
                "  bin/millrace features",
                "  bin/millrace features --date 2018-09-01",
                "  bin/millrace features --from 2018-01-01 --to 2018-09-01 -Dmillrace.features.snapshot-interval=7d",
                "  bin/millrace features --list"})
public final class FeaturesCommand extends SparkCommand {

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Logical date of the snapshot.")
    LocalDate date;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD",
            description = "First date of a range (every millrace.features.snapshot-interval up to --to).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last date of a range (default: --from).")
    LocalDate to;

    @Option(names = "--list", description = "List each definition, its entity, its source and whether that source "
            + "is in this lake, then exit without computing anything.")
    boolean list;

    @Override
    protected String jobName() {
        return "features";
    }

    @Override
    protected boolean writesReport() {
        return !list;
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        if (list) {
            if (date != null || from != null || to != null) {
                throw new IllegalArgumentException("--list computes nothing: give it without --date, --from or --to");
            }
            FeatureRegistry registry = FeatureRegistry.load(ctx.config());
            System.out.print(FeatureListing.render(registry,
                    new LakeSources(ctx.spark(), ctx.lake()).statuses(registry), ctx.lake().root()));
            return ExitCodes.OK;
        }
        if (date != null && from != null) {
            throw new IllegalArgumentException("give --date or --from/--to, not both");
        }
        FeaturesJob job = new FeaturesJob(ctx.spark(), ctx.config());
        SnapshotTimes times;
        if (from != null) {
            int step = (int) ctx.config().getDuration("millrace.features.snapshot-interval").toDays();
            times = SnapshotTimes.range(from, to == null ? from : to, step);
        } else {
            times = SnapshotTimes.of(date != null ? date : job.latestEventDate());
        }
        return job.run(times, report);
    }
}
