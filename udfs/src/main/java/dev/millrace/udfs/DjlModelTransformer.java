package dev.millrace.udfs;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that appends a DJL model's predictions: usable in a {@code Pipeline}, saved and
 * loaded with its params (the model reference as JSON, batch size, null policy, device), not with the model's
 * bytes, which stay where the reference points. {@link #lastStats()} gives the last transform's numbers.
 */
public final class DjlModelTransformer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private static final scala.reflect.ClassTag<String> STRING_TAG = scala.reflect.ClassTag$.MODULE$.apply(String.class);

    private final String uid;
    private final Param<String> modelRef;
    private final IntParam batchSize;
    private final Param<String> nullPolicy;
    private final Param<String> device;
    private transient ModelScorer scorer;

    public DjlModelTransformer(String uid) {
        this.uid = uid;
        this.modelRef = new Param<String>(uid, "modelRef", "the model reference, as ModelRef JSON", STRING_TAG);
        this.batchSize = new IntParam(uid, "batchSize", "rows per model call (> 0)");
        this.nullPolicy = new Param<String>(uid, "nullPolicy", "NULL_PREDICTION or FAIL, for null or NaN features", STRING_TAG);
        this.device = new Param<String>(uid, "device", "AUTO, CPU or GPU", STRING_TAG);
        setDefault(batchSize, ScoringOptions.DEFAULT_BATCH_SIZE);
        setDefault(nullPolicy, NullPolicy.NULL_PREDICTION.name());
        setDefault(device, ScoringOptions.DevicePolicy.AUTO.name());
    }

    public DjlModelTransformer() {
        this(Identifiable$.MODULE$.randomUID("djlModel"));
    }

    public DjlModelTransformer(ModelRef ref) {
        this();
        setModelRef(ref);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelRef() {
        return modelRef;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> nullPolicy() {
        return nullPolicy;
    }

    public Param<String> device() {
        return device;
    }

    public DjlModelTransformer setModelRef(ModelRef ref) {
        set(modelRef, ref.toJson());
        scorer = null;
        return this;
    }

    public DjlModelTransformer setBatchSize(int n) {
        set(batchSize, n);
        scorer = null;
        return this;
    }

    public DjlModelTransformer setNullPolicy(NullPolicy p) {
        set(nullPolicy, p.name());
        scorer = null;
        return this;
    }

    public DjlModelTransformer setDevice(ScoringOptions.DevicePolicy d) {
        set(device, d.name());
        scorer = null;
        return this;
    }

    public ModelRef getModelRef() {
        if (!isDefined(modelRef)) {
            throw new IllegalStateException("DjlModelTransformer " + uid + " has no modelRef set");
        }
        return ModelRef.fromJson($(modelRef));
    }

    public ScoringOptions getOptions() {
        return new ScoringOptions((Integer) $(batchSize), NullPolicy.valueOf($(nullPolicy)), ScoringOptions.DevicePolicy.parse($(device)));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return scorer(dataset.sparkSession()).transform(dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return scorer(SparkSession.active()).transformSchema(schema);
    }

    /** The numbers of this transformer's scoring so far (null before the first transform). */
    public InferenceStats lastStats() {
        return scorer == null ? null : scorer.stats();
    }

    private synchronized ModelScorer scorer(SparkSession spark) {
        if (scorer == null) {
            scorer = ModelScorer.create(spark, getModelRef(), getOptions());
        }
        return scorer;
    }

    @Override
    public DjlModelTransformer copy(ParamMap extra) {
        return (DjlModelTransformer) defaultCopy(extra);
    }

    public static MLReader<DjlModelTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static DjlModelTransformer load(String path) {
        return read().load(path);
    }
}
