package dev.millrace.jobs;

import picocli.CommandLine;

/**
 * The list of sub-commands. Each capability adds its command classes here, in pipeline order, so that
 * {@code bin/millrace --help} reads like the pipeline.
 */
final class Commands {

    private Commands() {
    }

    static void register(CommandLine cli) {
        Object[] commands = {
            new dev.millrace.jobs.generate.GenerateCommand(),
            new dev.millrace.jobs.ingest.IngestCommand(),
            new dev.millrace.jobs.sql.SqlCommand(),
            new dev.millrace.jobs.sql.TablesCommand(),
            new dev.millrace.jobs.maintain.MaintainCommand(),
            new dev.millrace.jobs.demo.DemoCommand(),
            new dev.millrace.jobs.features.FeaturesCommand(),
            new dev.millrace.jobs.features.TrainingSetCommand(),
            new dev.millrace.jobs.features.GpuPlanCommand(),
            new dev.millrace.jobs.training.export.ExportTrainingCommand(),
            new dev.millrace.jobs.training.model.TrainCommand(),
            new dev.millrace.jobs.training.model.ModelsCommand(),
            new dev.millrace.jobs.training.evaluate.EvaluateCommand(),
            new dev.millrace.jobs.training.score.ScoreCommand(),
            new dev.millrace.jobs.serving.PublishCommand(),
            new dev.millrace.jobs.serving.ServeCommand(),
            new dev.millrace.jobs.serving.ServingCommand(),
            new dev.millrace.jobs.stream.StreamCommand(),
        };
        for (Object c : commands) {
            cli.addSubcommand(c);
        }
    }
}
