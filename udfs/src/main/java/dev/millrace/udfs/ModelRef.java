package dev.millrace.udfs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: a model's name, version, engine and location (a file or folder any Hadoop file system reads: the
 * lake's model registry, a local path, s3a:, hdfs:), which columns feed which model inputs, which outputs become
 * which typed columns, and engine options (DJL Criteria options such as ONNX Runtime's {@code intraOpNumThreads},
 * plus {@code blockFactory} for PyTorch {@code .params} models). Immutable and serializable; {@link #toJson()} is
 * the form saved with a Spark ML pipeline.
 */
public final class ModelRef implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String version;
    private final ModelEngine engine;
    private final String location;
    private final List<InputSpec> inputs;
    private final List<OutputSpec> outputs;
    private final Map<String, String> options;

    private ModelRef(Builder b) {
        this.name = requireText(b.name, "name");
        this.version = requireText(b.version, "version");
        this.engine = Objects.requireNonNull(b.engine, "engine");
        this.location = requireText(b.location, "location");
        if (b.inputs.isEmpty()) {
            throw new IllegalArgumentException("model " + name + ":" + version + " needs at least one input column");
        }
        if (b.outputs.isEmpty()) {
            throw new IllegalArgumentException("model " + name + ":" + version + " needs at least one output column");
        }
        this.inputs = List.copyOf(b.inputs);
        this.outputs = List.copyOf(b.outputs);
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    }

    public static Builder builder(String name, String version) {
        return new Builder().name(name).version(version);
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public ModelEngine engine() {
        return engine;
    }

    public String location() {
        return location;
    }

    public List<InputSpec> inputs() {
        return inputs;
    }

    public List<OutputSpec> outputs() {
        return outputs;
    }

    public Map<String, String> options() {
        return options;
    }

    /** "name:version", how messages and metrics name the model. */
    public String id() {
        return name + ":" + version;
    }

    public Builder toBuilder() {
        Builder b = new Builder().name(name).version(version).engine(engine).location(location);
        inputs.forEach(b::input);
        outputs.forEach(b::output);
        options.forEach(b::option);
        return b;
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name).put("version", version).put("engine", engine.djlName()).put("location", location);
        ArrayNode in = root.putArray("inputs");
        for (InputSpec s : inputs) {
            ObjectNode n = in.addObject().put("column", s.column());
            if (s.tensor() != null) {
                n.put("tensor", s.tensor());
            }
            if (s.rowShape() != null) {
                ArrayNode shape = n.putArray("shape");
                for (long d : s.rowShape()) {
                    shape.add(d);
                }
            }
        }
        ArrayNode out = root.putArray("outputs");
        for (OutputSpec s : outputs) {
            ObjectNode n = out.addObject().put("column", s.column()).put("kind", s.kind().name());
            if (s.tensor() != null) {
                n.put("tensor", s.tensor());
            }
        }
        ObjectNode opts = root.putObject("options");
        options.forEach(opts::put);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelRef fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            Builder b = builder(root.path("name").asText(null), root.path("version").asText(null))
                    .engine(ModelEngine.parse(root.path("engine").asText()))
                    .location(root.path("location").asText(null));
            for (JsonNode n : root.path("inputs")) {
                long[] shape = null;
                if (n.has("shape")) {
                    shape = new long[n.get("shape").size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = n.get("shape").get(i).asLong();
                    }
                }
                b.input(new InputSpec(n.get("column").asText(), n.has("tensor") ? n.get("tensor").asText() : null, shape));
            }
            for (JsonNode n : root.path("outputs")) {
                b.output(new OutputSpec(n.has("tensor") ? n.get("tensor").asText() : null, n.get("column").asText(),
                        OutputKind.valueOf(n.get("kind").asText())));
            }
            root.path("options").fields().forEachRemaining(e -> b.option(e.getKey(), e.getValue().asText()));
            return b.build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a model reference (JSON expected): " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelRef r && toJson().equals(r.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "ModelRef(" + id() + ", " + engine.djlName() + ", " + location + ", in=" + inputs + ", out=" + outputs + ")";
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("model reference needs a " + what);
        }
        return s;
    }

    /** Builds a {@link ModelRef}; {@link #build()} checks that every required part is there. */
    public static final class Builder {
        private String name;
        private String version;
        private ModelEngine engine;
        private String location;
        private final List<InputSpec> inputs = new ArrayList<>();
        private final List<OutputSpec> outputs = new ArrayList<>();
        private final Map<String, String> options = new LinkedHashMap<>();

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder version(String v) {
            version = v;
            return this;
        }

        public Builder engine(ModelEngine v) {
            engine = v;
            return this;
        }

        public Builder location(String v) {
            location = v;
            return this;
        }

        public Builder input(InputSpec v) {
            inputs.add(v);
            return this;
        }

        /** Feeds {@code column} to the model's next input, with the shape the model declares. */
        public Builder input(String column) {
            return input(InputSpec.of(column));
        }

        public Builder output(OutputSpec v) {
            outputs.add(v);
            return this;
        }

        public Builder output(String tensor, String column, OutputKind kind) {
            return output(OutputSpec.of(tensor, column, kind));
        }

        /** A DJL Criteria option (engine specific), or {@code blockFactory} (a class name) for PyTorch params. */
        public Builder option(String key, String value) {
            options.put(key, value);
            return this;
        }

        public ModelRef build() {
            return new ModelRef(this);
        }
    }
}
