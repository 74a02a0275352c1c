package dev.millrace.udfs.spark;

import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.CreateNamedStruct;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal$;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import scala.Option;
import scala.runtime.AbstractPartialFunction;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizer rule: pulls each {@link PredictExpression} of a projection out into a {@link ModelInferenceNode} below
 * it, and reads its result from the node's output columns, so SQL calls are batched like the Dataset API's.
 * Non-column arguments are computed by a projection under the node.
 */
public final class ExtractModelPredictions extends Rule<LogicalPlan> {

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        return plan.transformUp(new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
            @Override
            public boolean isDefinedAt(LogicalPlan p) {
                return p instanceof Project pr && !collect(asExpressions(pr.projectList())).isEmpty();
            }

            @Override
            public LogicalPlan apply(LogicalPlan p) {
                return rewrite((Project) p);
            }
        });
    }

    private static LogicalPlan rewrite(Project project) {
        List<NamedExpression> projectList = Seqs.toList(project.projectList());
        Map<PredictExpression, Expression> replacements = new IdentityHashMap<>();
        LogicalPlan child = project.child();
        int n = 0;
        for (PredictExpression pe : collect(asExpressions(project.projectList()))) {
            List<Attribute> childOut = Seqs.toList(child.output());
            List<NamedExpression> pre = new ArrayList<>(childOut);
            List<Expression> inputs = new ArrayList<>();
            for (Expression arg : Seqs.toList(pe.children())) {
                if (arg instanceof Attribute a && childOut.contains(a)) {
                    inputs.add(a);
                } else {
                    Alias alias = new Alias(arg, "__millrace_arg" + (n++), NamedExpression$.MODULE$.newExprId(), Seqs.of(), Option.empty(), Seqs.of());
                    pre.add(alias);
                    inputs.add(alias.toAttribute());
                }
            }
            if (pre.size() > childOut.size()) {
                child = new Project(Seqs.from(pre), child);
            }
            List<Attribute> outs = new ArrayList<>();
            for (StructField f : pe.scoring().outputFields()) {
                outs.add(new AttributeReference(pe.function() + "_" + f.name(), f.dataType(), true, Metadata.empty(),
                        NamedExpression$.MODULE$.newExprId(), Seqs.of()));
            }
            child = new ModelInferenceNode(pe.scoring(), Seqs.from(inputs), Seqs.from(outs), child);
            if (outs.size() == 1) {
                replacements.put(pe, outs.get(0));
            } else {
                List<Expression> struct = new ArrayList<>();
                StructField[] fields = pe.scoring().outputFields();
                for (int i = 0; i < fields.length; i++) {
                    struct.add(Literal$.MODULE$.apply(fields[i].name()));
                    struct.add(outs.get(i));
                }
                replacements.put(pe, new CreateNamedStruct(Seqs.from(struct)));
            }
        }
        List<NamedExpression> newList = new ArrayList<>();
        for (NamedExpression e : projectList) {
            newList.add((NamedExpression) ((Expression) (Object) e).transform(new AbstractPartialFunction<Expression, Expression>() {
                @Override
                public boolean isDefinedAt(Expression x) {
                    return replacements.containsKey(x);
                }

                @Override
                public Expression apply(Expression x) {
                    return replacements.get(x);
                }
            }));
        }
        return new Project(Seqs.from(newList), child);
    }

    @SuppressWarnings("unchecked")
    private static List<Expression> asExpressions(scala.collection.Seq<NamedExpression> list) {
        return (List<Expression>) (Object) Seqs.toList(list);
    }

    private static List<PredictExpression> collect(List<? extends Expression> exprs) {
        Map<PredictExpression, Boolean> found = new LinkedHashMap<>();
        for (Expression e : exprs) {
            walk(e, found);
        }
        return new ArrayList<>(found.keySet());
    }

    private static void walk(Expression e, Map<PredictExpression, Boolean> found) {
        if (e instanceof PredictExpression p) {
            found.put(p, Boolean.TRUE);
            return;
        }
        for (Expression c : Seqs.toList(e.children())) {
            walk(c, found);
        }
    }
}
