package dev.millrace.jobs.stream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.tables.BronzeEvents;
import dev.millrace.udfs.InputSpec;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.OutputKind;

import java.util.Map;
import java.util.Optional;

/**
 * Which model scores the stream's events and how its input is built: a {@link ModelRef} (one vector input, one
 * scalar output) and a Spark SQL expression over the event columns that yields the input vector. An empty model
 * location turns scoring off; the score column is then null.
 *
 * @param model     the model, or empty when scoring is off
 * @param features  SQL expression giving the model's input as {@code array<float>}
 * @param batchSize rows per model call
 */
public record ScoringSettings(Optional<ModelRef> model, String features, int batchSize) {

    /** The column of the written rows that holds the model's output (bronze.events' score column). */
    public static final String SCORE_COLUMN = BronzeEvents.SCORE;
    static final String FEATURES_COLUMN = "_features";

    public static ScoringSettings from(MillraceConfig c, String prefix) {
        String location = c.getString(prefix + ".model.location");
        Optional<ModelRef> model = Optional.empty();
        if (!location.isBlank()) {
            String input = c.getString(prefix + ".model.input");
            String output = c.getString(prefix + ".model.output");
            ModelRef.Builder b = ModelRef.builder(c.getString(prefix + ".model.name"), c.getString(prefix + ".model.version"))
                    .engine(ModelEngine.parse(c.getString(prefix + ".model.engine")))
                    .location(location)
                    .input(new InputSpec(FEATURES_COLUMN, input.isBlank() ? null : input, null))
                    .output(output.isBlank() ? null : output, SCORE_COLUMN, OutputKind.SCALAR);
            Config options = c.getConfig(prefix + ".model.options");
            for (Map.Entry<String, ConfigValue> e : options.entrySet()) {
                b.option(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
            }
            model = Optional.of(b.build());
        }
        return new ScoringSettings(model, c.getString(prefix + ".features"), c.getInt(prefix + ".batch-size"));
    }
}
