package dev.millrace.jobs.serving;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.publish.PublishResult;
import dev.millrace.featurestore.publish.Publisher;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import picocli.CommandLine.Command;

/** {@code bin/millrace publish}: the latest recommendations and online features into a new store version, flipped atomically. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish gold.recommendations, the popularity fallback and features.*_features into a new "
                + "online-store version, verify it, and make it current in one atomic flip (the previous version is kept "
                + "for 'serving rollback'). The store is millrace.serving.store (embedded or redis); see docs/serving.md."},
        footer = {"", "Examples:", "  bin/millrace publish", "  bin/millrace publish --force   # a new version even if nothing changed",
                "  bin/millrace publish -Dmillrace.serving.store=redis"})
public final class PublishCommand extends SparkCommand {

    @picocli.CommandLine.Option(names = "--force", description = "Publish a new version even when the current one already "
            + "holds the same table versions (by default such a re-run writes nothing).")
    boolean force;

    @Override
    protected String jobName() {
        return "publish";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        StoreSettings settings = StoreSettings.from(ctx.config());
        report.put("store", settings.toString());
        try (OnlineStore store = OnlineStores.open(settings)) {
            PublishResult result = Publisher.from(ctx.spark(), ctx.config(), store).publish(force);
            report.put("unchanged", result.unchanged());
            report.put("sources", result.sources());
            report.put("version", result.pointer().current());
            report.put("previous_version", result.pointer().previous());
            report.put("keys", new java.util.LinkedHashMap<String, Object>(result.keys()));
            report.put("keys_total", result.totalKeys());
            // Feature rows whose served id breaks the key rule (core's EntityKey): not published, counted here.
            report.put("skipped_bad_keys", new java.util.LinkedHashMap<String, Object>(result.skipped()));
            // Feature rows with a null key: nothing to serve them under, so not published; counted here.
            report.put("skipped_null_keys", new java.util.LinkedHashMap<String, Object>(result.skippedNullKeys()));
            report.put("keys_per_second", Math.round(result.keysPerSecond()));
            report.put("popular_source", result.popularSource());
            report.put("removed_versions", result.removedVersions().toString());
        }
        return ExitCodes.OK;
    }
}
