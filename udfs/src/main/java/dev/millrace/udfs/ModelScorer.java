package dev.millrace.udfs;

import ai.djl.Device;
import dev.millrace.udfs.runtime.ModelArtifact;
import dev.millrace.udfs.runtime.ModelCache;
import dev.millrace.udfs.runtime.ModelException;
import dev.millrace.udfs.runtime.ModelLoader;
import dev.millrace.udfs.runtime.ModelSignature;
import dev.millrace.udfs.spark.FeatureReader;
import dev.millrace.udfs.spark.InferenceMetrics;
import dev.millrace.udfs.spark.ModelInferenceNode;
import dev.millrace.udfs.spark.ScoringPlan;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Java Dataset API, and the core the Transformer and the SQL function use: checks a model reference on the
 * driver (engine present, file readable and complete, mapping fits the model, model loads), ships the model bytes
 * as a broadcast, then appends the model's outputs to any Dataset, batch or streaming, as typed columns.
 *
 * <pre>{@code
 * ModelScorer scorer = ModelScorer.create(spark, ref, ScoringOptions.defaults());
 * Dataset<Row> scored = scorer.transform(features);   // + the ref's output columns
 * scored.write()...;  log.info("{}", scorer.stats());
 * }</pre>
 */
public final class ModelScorer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelScorer.class);

    private final SparkSession spark;
    private final ModelRef ref;
    private final ScoringOptions options;
    private final ModelSignature signature;
    private final Broadcast<ModelArtifact> artifact;
    private final InferenceMetrics metrics;
    private final StructField[] outputFields;

    private ModelScorer(SparkSession spark, ModelRef ref, ScoringOptions options, ModelSignature signature,
                        Broadcast<ModelArtifact> artifact, StructField[] outputFields) {
        this.spark = spark;
        this.ref = ref;
        this.options = options;
        this.signature = signature;
        this.artifact = artifact;
        this.outputFields = outputFields;
        this.metrics = new InferenceMetrics(spark.sparkContext(), ref.id(), signature.batchSize(options.batchSize()));
    }

    /**
     * Checks {@code ref} and prepares it for scoring; every problem with the engine, the file or the mapping is
     * reported here, before any data is read.
     */
    public static ModelScorer create(SparkSession spark, ModelRef ref, ScoringOptions options) {
        MillraceUdfs.install(spark);
        ModelLoader.requireEngine(ref.engine());
        ModelArtifact bytes = ModelArtifact.read(ref.location(), spark.sparkContext().hadoopConfiguration());
        ModelSignature signature = ModelSignature.resolve(ref, bytes);
        // Load once here: a corrupt file fails now, and in local mode the executors find it in the JVM cache.
        try (ModelCache.Lease ignored = ModelCache.global().acquire(ref, signature, bytes, Device.cpu())) {
            LOG.info("model {} ready ({} bytes, batch {})", ref.id(), bytes.sizeBytes(), signature.batchSize(options.batchSize()));
        }
        StructField[] fields = ref.outputs().stream()
                .map(o -> new StructField(o.column(), o.kind().sqlType(), true, Metadata.empty()))
                .toArray(StructField[]::new);
        Broadcast<ModelArtifact> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes);
        return new ModelScorer(spark, ref, options, signature, shipped, fields);
    }

    public static ModelScorer create(SparkSession spark, ModelRef ref) {
        return create(spark, ref, ScoringOptions.defaults());
    }

    public ModelRef ref() {
        return ref;
    }

    public ScoringOptions options() {
        return options;
    }

    /** The appended columns' names and types. */
    public StructField[] outputFields() {
        return outputFields.clone();
    }

    /** The schema {@link #transform} will produce for {@code input}; fails like transform on a bad column. */
    public StructType transformSchema(StructType input) {
        inputTypes(input);
        StructType out = input;
        for (StructField f : outputFields) {
            out = out.add(f);
        }
        return out;
    }

    /** {@code input} with the model's output columns appended; lazy like any transformation, streaming or not. */
    public Dataset<Row> transform(Dataset<?> input) {
        LogicalPlan child = input.queryExecution().analyzed();
        DataType[] types = inputTypes(input.schema());
        List<Attribute> childOut = CollectionConverters.asJava(child.output());
        List<Expression> inputs = new ArrayList<>();
        for (InputSpec spec : ref.inputs()) {
            inputs.add(childOut.stream().filter(a -> a.name().equals(spec.column())).findFirst()
                    .orElseGet(() -> childOut.stream().filter(a -> a.name().equalsIgnoreCase(spec.column())).findFirst().orElseThrow()));
        }
        List<Attribute> outs = new ArrayList<>();
        for (StructField f : outputFields) {
            outs.add(new AttributeReference(f.name(), f.dataType(), true, Metadata.empty(), NamedExpression$.MODULE$.newExprId(),
                    CollectionConverters.asScala(List.<String>of()).toSeq()));
        }
        ModelInferenceNode node = new ModelInferenceNode(plan(types), CollectionConverters.asScala(inputs).toSeq(),
                CollectionConverters.asScala(outs).toSeq(), child);
        return org.apache.spark.sql.classic.Dataset.ofRows((org.apache.spark.sql.classic.SparkSession) spark, node);
    }

    /** The scoring plan for input columns of the given types (used by the SQL function). */
    public ScoringPlan plan(DataType[] inputTypes) {
        return new ScoringPlan(ref, options, signature, artifact, metrics, inputTypes.clone(), outputFields.clone());
    }

    /** Registers this model as the SQL function {@code name(col, ...)} on the session; see {@link MillraceUdfs}. */
    public ModelScorer registerFunction(String name) {
        MillraceUdfs.registerFunction(spark, name, this);
        return this;
    }

    /** The numbers so far (all transforms of this scorer, all their actions). */
    public InferenceStats stats() {
        return metrics.snapshot();
    }

    /** Checks every input column: present, of a supported type. Returns their types in the reference's order. */
    DataType[] inputTypes(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        DataType[] types = new DataType[ref.inputs().size()];
        for (int i = 0; i < types.length; i++) {
            String column = ref.inputs().get(i).column();
            StructField field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst()
                    .orElseGet(() -> Arrays.stream(schema.fields()).filter(f -> f.name().equalsIgnoreCase(column)).findFirst().orElse(null));
            if (field == null) {
                throw new ModelException("model " + ref.id() + " needs column '" + column + "', which is not among " + names);
            }
            checkType(column, field.dataType());
            types[i] = field.dataType();
        }
        for (StructField f : outputFields) {
            if (names.stream().anyMatch(n -> n.equalsIgnoreCase(f.name()))) {
                throw new ModelException("output column '" + f.name() + "' of model " + ref.id() + " already exists in the input");
            }
        }
        return types;
    }

    void checkType(String column, DataType type) {
        if (!FeatureReader.supports(type)) {
            int size = signature.rowSizes()[columnIndex(column)];
            throw new ModelException("column '" + column + "' has type " + type.simpleString() + "; model " + ref.id() + " expects "
                    + FeatureReader.supportedTypes() + " of length " + size);
        }
    }

    private int columnIndex(String column) {
        for (int i = 0; i < ref.inputs().size(); i++) {
            if (ref.inputs().get(i).column().equalsIgnoreCase(column)) {
                return i;
            }
        }
        return 0;
    }

    int inputCount() {
        return ref.inputs().size();
    }
}
