package dev.millrace.udfs;

import dev.millrace.udfs.runtime.ModelException;
import dev.millrace.udfs.spark.ExtractModelPredictions;
import dev.millrace.udfs.spark.ModelInferenceStrategy;
import dev.millrace.udfs.spark.PredictExpression;
import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StringType;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session-level wiring: {@link #install} adds the planner strategy and optimizer rule for model inference to a
 * session (idempotent; the same as configuring {@code MillraceUdfsExtension}); {@link #registerModel} makes a
 * model callable from SQL as {@code predict('name', features)}; {@link #registerFunction} as {@code name(features)}.
 */
public final class MillraceUdfs {

    /** The generic SQL function's name. */
    public static final String PREDICT = "predict";

    private static final Map<SparkSession, Map<String, ModelScorer>> MODELS = new WeakHashMap<>();

    private MillraceUdfs() {
    }

    public static synchronized void install(SparkSession spark) {
        ExperimentalMethods exp = ((org.apache.spark.sql.classic.SparkSession) spark).experimental();
        List<SparkStrategy> strategies = new ArrayList<>(CollectionConverters.asJava(exp.extraStrategies()));
        if (strategies.stream().noneMatch(s -> s instanceof ModelInferenceStrategy)) {
            strategies.add(new ModelInferenceStrategy());
            exp.extraStrategies_$eq(CollectionConverters.asScala(strategies).toSeq());
        }
        List<Rule<LogicalPlan>> rules = new ArrayList<>(CollectionConverters.asJava(exp.extraOptimizations()));
        if (rules.stream().noneMatch(r -> r instanceof ExtractModelPredictions)) {
            rules.add(new ExtractModelPredictions());
            exp.extraOptimizations_$eq(CollectionConverters.asScala(rules).toSeq());
        }
    }

    /** Makes the model callable as {@code predict('<name>', col, ...)} in this session's SQL. */
    public static void registerModel(SparkSession spark, String name, ModelScorer scorer) {
        Map<String, ModelScorer> models;
        synchronized (MillraceUdfs.class) {
            models = MODELS.computeIfAbsent(spark, s -> new ConcurrentHashMap<>());
        }
        models.put(name, scorer);
        Function1<Seq<Expression>, Expression> builder = args -> {
            List<Expression> all = CollectionConverters.asJava(args);
            if (all.isEmpty() || !(all.get(0) instanceof Literal lit) || !(lit.dataType() instanceof StringType) || lit.value() == null) {
                throw new ModelException(PREDICT + "() takes the model's name as a string literal first, then its input columns");
            }
            String model = lit.value().toString();
            ModelScorer s = models.get(model);
            if (s == null) {
                throw new ModelException("no model '" + model + "' registered for " + PREDICT + "(); registered: " + models.keySet());
            }
            return expression(PREDICT, s, all.subList(1, all.size()));
        };
        register(spark, PREDICT, builder);
    }

    /** Makes the model callable as {@code <function>(col, ...)} in this session's SQL. */
    public static void registerFunction(SparkSession spark, String function, ModelScorer scorer) {
        register(spark, function, args -> expression(function, scorer, CollectionConverters.asJava(args)));
    }

    private static void register(SparkSession spark, String function, Function1<Seq<Expression>, Expression> builder) {
        install(spark);
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry()
                .registerFunction(new FunctionIdentifier(function), new ExpressionInfo(PredictExpression.class.getName(), function), builder);
    }

    private static Expression expression(String function, ModelScorer scorer, List<Expression> args) {
        if (args.size() != scorer.inputCount()) {
            throw new ModelException(function + "() for model " + scorer.ref().id() + " takes " + scorer.inputCount()
                    + " feature argument(s) (" + scorer.ref().inputs() + "), got " + args.size());
        }
        DataType[] types = new DataType[args.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = args.get(i).dataType();
            scorer.checkType(scorer.ref().inputs().get(i).column(), types[i]);
        }
        return new PredictExpression(function, scorer.plan(types), CollectionConverters.asScala(args).toSeq());
    }
}
