package dev.millrace.jobs.serving;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code bin/millrace serving status|rollback}: look at and move the online store's version pointer (no Spark). */
@Command(name = "serving", mixinStandardHelpOptions = true,
        description = "Online-store administration: show the versions, or roll back to the previous one.",
        subcommands = {ServingCommand.Status.class, ServingCommand.Rollback.class},
        footer = {"", "Examples:", "  bin/millrace serving status", "  bin/millrace serving rollback"})
public final class ServingCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints the pointer and the versions the store holds. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the current and previous versions.",
            footer = {"", "Example:", "  bin/millrace serving status"})
    public static final class Status implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() {
            StoreSettings settings = StoreSettings.from(common.load());
            try (OnlineStore store = OnlineStores.open(settings)) {
                Optional<VersionPointer> p = store.pointer();
                System.out.println("store:    " + store.describe());
                System.out.println("current:  " + p.map(v -> Long.toString(v.current())).orElse("none (nothing published)"));
                System.out.println("previous: " + p.map(v -> v.previous() == 0 ? "none" : Long.toString(v.previous())).orElse("none"));
                System.out.println("versions: " + store.versions());
            }
            return ExitCodes.OK;
        }
    }

    /** Swaps current and previous; running it again undoes it. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make the previous version current (one atomic flip; run again to undo).",
            footer = {"", "Example:", "  bin/millrace serving rollback   # run again to undo"})
    public static final class Rollback implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() {
            StoreSettings settings = StoreSettings.from(common.load());
            try (OnlineStore store = OnlineStores.open(settings)) {
                VersionPointer before = store.pointer().orElse(null);
                VersionPointer after = store.rollback();
                System.out.println("rolled back " + store.describe() + ": current " + (before == null ? "?" : before.current())
                        + " -> " + after.current() + " (previous now " + after.previous() + ")");
            }
            return ExitCodes.OK;
        }
    }
}
