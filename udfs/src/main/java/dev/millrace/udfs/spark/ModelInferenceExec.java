package dev.millrace.udfs.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The physical operator of {@link ModelInferenceNode}: maps each partition of the child's internal rows through a
 * {@link PartitionScorer}. Rows stay where they are, so the child's partitioning is kept.
 */
public final class ModelInferenceExec extends SparkPlan {

    private final ScoringPlan scoring;
    private final Seq<Expression> inputs;
    private final Seq<Attribute> outputAttrs;
    private final SparkPlan child;

    public ModelInferenceExec(ScoringPlan scoring, Seq<Expression> inputs, Seq<Attribute> outputAttrs, SparkPlan child) {
        this.scoring = scoring;
        this.inputs = inputs;
        this.outputAttrs = outputAttrs;
        this.child = child;
    }

    @Override
    public RDD<InternalRow> doExecute() {
        List<Attribute> childOut = Seqs.toList(child.output());
        List<Expression> in = Seqs.toList(inputs);
        int[] ordinals = new int[in.size()];
        for (int i = 0; i < ordinals.length; i++) {
            Attribute a = (Attribute) in.get(i);
            ordinals[i] = indexOf(childOut, a);
            if (ordinals[i] < 0) {
                throw new IllegalStateException("input " + a + " of " + scoring + " is not in the child's output " + childOut);
            }
        }
        List<Attribute> all = Seqs.toList(output());
        DataType[] outTypes = all.stream().map(Attribute::dataType).toArray(DataType[]::new);
        ScoringPlan plan = scoring;
        // The internal variant: no closure cleaning, no Java/Scala iterator wrappers around every row.
        return child.execute().mapPartitionsInternal(new ScorePartition(plan, ordinals, outTypes), false,
                scala.reflect.ClassTag$.MODULE$.apply(InternalRow.class));
    }

    /** The per-partition function: a serializable Scala function, as {@code mapPartitionsInternal} takes. */
    private static final class ScorePartition
            extends scala.runtime.AbstractFunction1<scala.collection.Iterator<InternalRow>, scala.collection.Iterator<InternalRow>>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final ScoringPlan plan;
        private final int[] ordinals;
        private final DataType[] outTypes;

        ScorePartition(ScoringPlan plan, int[] ordinals, DataType[] outTypes) {
            this.plan = plan;
            this.ordinals = ordinals;
            this.outTypes = outTypes;
        }

        @Override
        public scala.collection.Iterator<InternalRow> apply(scala.collection.Iterator<InternalRow> rows) {
            return new PartitionScorer(rows, plan, ordinals, outTypes);
        }
    }

    private static int indexOf(List<Attribute> attrs, Attribute a) {
        for (int i = 0; i < attrs.size(); i++) {
            if (attrs.get(i).exprId().equals(a.exprId())) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Seq<Attribute> output() {
        List<Attribute> out = new ArrayList<>(Seqs.toList(child.output()));
        out.addAll(Seqs.toList(outputAttrs));
        return Seqs.from(out);
    }

    @Override
    public AttributeSet producedAttributes() {
        @SuppressWarnings("unchecked")
        scala.collection.Iterable<Expression> attrs = (scala.collection.Iterable<Expression>) (Object) outputAttrs;
        return AttributeSet.apply(attrs);
    }

    @Override
    public Partitioning outputPartitioning() {
        return child.outputPartitioning();
    }

    @Override
    public Seq<SparkPlan> children() {
        return Seqs.of(child);
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
        return new ModelInferenceExec(scoring, inputs, outputAttrs, newChildren.apply(0));
    }

    @Override
    public String nodeName() {
        return "ModelInference";
    }

    @Override
    public String simpleString(int maxFields) {
        return "ModelInference " + scoring + " " + inputs.mkString("[", ", ", "]") + " -> " + outputAttrs.mkString("[", ", ", "]");
    }

    @Override
    public int productArity() {
        return 4;
    }

    @Override
    public Object productElement(int n) {
        return switch (n) {
            case 0 -> scoring;
            case 1 -> inputs;
            case 2 -> outputAttrs;
            case 3 -> child;
            default -> throw new IndexOutOfBoundsException(n);
        };
    }

    @Override
    public boolean canEqual(Object that) {
        return that instanceof ModelInferenceExec;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInferenceExec n && scoring == n.scoring && inputs.equals(n.inputs)
                && outputAttrs.equals(n.outputAttrs) && child.equals(n.child);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(scoring), inputs, outputAttrs, child);
    }
}
