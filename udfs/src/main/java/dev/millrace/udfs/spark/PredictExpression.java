package dev.millrace.udfs.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The SQL function's expression ({@code predict('ranker', features)} or {@code ranker(features)}). In a projection
 * the optimizer rule {@link ExtractModelPredictions} replaces it with a batched {@link ModelInferenceNode}, as
 * Spark does for Python UDFs; wherever it cannot be extracted (a filter, a join condition) it still evaluates
 * correctly, one row per model call.
 */
public final class PredictExpression extends Expression implements CodegenFallback {

    private final String function;
    private final ScoringPlan scoring;
    private final Seq<Expression> args;
    private transient BatchScorer rowScorer;

    public PredictExpression(String function, ScoringPlan scoring, Seq<Expression> args) {
        this.function = function;
        this.scoring = scoring;
        this.args = args;
    }

    public String function() {
        return function;
    }

    public ScoringPlan scoring() {
        return scoring;
    }

    @Override
    public Seq<Expression> children() {
        return args;
    }

    @Override
    public boolean nullable() {
        return true;
    }

    @Override
    public DataType dataType() {
        StructField[] fields = scoring.outputFields();
        return fields.length == 1 ? fields[0].dataType() : new StructType(fields);
    }

    @Override
    public String prettyName() {
        return function;
    }

    @Override
    public Object eval(InternalRow input) {
        List<Expression> children = Seqs.toList(args);
        Object[] values = new Object[children.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = children.get(i).eval(input);
        }
        BatchScorer scorer = rowScorer();
        scorer.next(Collections.<InternalRow>singletonList(new GenericInternalRow(values)).iterator(), false);
        InternalRow out = scorer.output(0);
        StructField[] fields = scoring.outputFields();
        return fields.length == 1 ? out.get(0, fields[0].dataType()) : out.copy();
    }

    private BatchScorer rowScorer() {
        if (rowScorer == null) {
            int[] ordinals = new int[scoring.ref().inputs().size()];
            for (int i = 0; i < ordinals.length; i++) {
                ordinals[i] = i;
            }
            ScoringPlan one = new ScoringPlan(scoring.ref(), scoring.options().withBatchSize(1), scoring.signature(), scoring.artifact(),
                    scoring.metrics(), scoring.inputTypes(), scoring.outputFields());
            BatchScorer s = new BatchScorer(one, ordinals);
            TaskContext tc = TaskContext.get();
            if (tc != null) {
                tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> s.close());
            }
            rowScorer = s;
        }
        return rowScorer;
    }

    @Override
    public org.apache.spark.sql.catalyst.expressions.codegen.ExprCode doGenCode(
            org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext ctx,
            org.apache.spark.sql.catalyst.expressions.codegen.ExprCode ev) {
        return CodegenFallback.super.doGenCode(ctx, ev);
    }

    @Override
    public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
        return new PredictExpression(function, scoring, newChildren.toSeq());
    }

    @Override
    public int productArity() {
        return 3;
    }

    @Override
    public Object productElement(int n) {
        return switch (n) {
            case 0 -> function;
            case 1 -> scoring;
            case 2 -> args;
            default -> throw new IndexOutOfBoundsException(n);
        };
    }

    @Override
    public boolean canEqual(Object that) {
        return that instanceof PredictExpression;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PredictExpression p && function.equals(p.function) && scoring == p.scoring && args.equals(p.args);
    }

    @Override
    public int hashCode() {
        return Objects.hash(function, System.identityHashCode(scoring), args);
    }
}
