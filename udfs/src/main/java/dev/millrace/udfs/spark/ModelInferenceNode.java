package dev.millrace.udfs.spark;

import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The logical operator "score every row of the child with a model": outputs the child's columns followed by the
 * model's output columns. A plan node rather than a UDF, so that it can read whole batches of internal rows (a UDF
 * sees one row at a time); like Spark's own {@code BatchEvalPython} for Python UDFs. It keeps the child's rows and
 * their order, and works in batch and streaming plans alike.
 */
public final class ModelInferenceNode extends LogicalPlan {

    private final ScoringPlan scoring;
    private final Seq<Expression> inputs;
    private final Seq<Attribute> outputAttrs;
    private final LogicalPlan child;

    /**
     * @param inputs      per input spec, an attribute of the child's output
     * @param outputAttrs the appended columns, one per output spec
     */
    public ModelInferenceNode(ScoringPlan scoring, Seq<Expression> inputs, Seq<Attribute> outputAttrs, LogicalPlan child) {
        this.scoring = scoring;
        this.inputs = inputs;
        this.outputAttrs = outputAttrs;
        this.child = child;
    }

    public ScoringPlan scoring() {
        return scoring;
    }

    public Seq<Expression> inputs() {
        return inputs;
    }

    public Seq<Attribute> outputAttrs() {
        return outputAttrs;
    }

    public LogicalPlan child() {
        return child;
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
    public Seq<LogicalPlan> children() {
        return Seqs.of(child);
    }

    @Override
    public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> newChildren) {
        return new ModelInferenceNode(scoring, inputs, outputAttrs, newChildren.apply(0));
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
        return that instanceof ModelInferenceNode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInferenceNode n && scoring == n.scoring && inputs.equals(n.inputs)
                && outputAttrs.equals(n.outputAttrs) && child.equals(n.child);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(scoring), inputs, outputAttrs, child);
    }
}
