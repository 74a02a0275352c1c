package dev.millrace.featurestore.offline;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.featurestore.definitions.FeatureDefinition;
import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.definitions.SourceDefinition;
import dev.millrace.featurestore.definitions.SourceStatus;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PlanExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static scala.jdk.javaapi.CollectionConverters.asJava;

/**
 * Which feature sources this lake holds. A table source is present when its Delta table is on disk; a SQL source
 * when every {@code layer.table} its query names is (the query is parsed, not run, so this costs one lake listing).
 * The lake on disk decides rather than the session catalog, which may still hold names of another lake (tests,
 * notebooks). Names the query does not qualify with a layer (temporary views) are left to Spark.
 */
public final class LakeSources {

    private final SparkSession spark;
    private final Set<TableName> onDisk;

    public LakeSources(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.onDisk = new HashSet<>(new LakeCatalog(spark, lake).discover());
    }

    /** The status of every source that some definition uses, by source name. */
    public Map<String, SourceStatus> statuses(FeatureRegistry registry) {
        Map<String, SourceStatus> out = new LinkedHashMap<>();
        for (FeatureDefinition d : registry.definitions()) {
            out.computeIfAbsent(d.source(), s -> status(registry.sources().get(s)));
        }
        return out;
    }

    /** What of {@code registry} can run here; fails when a required feature's source is missing. */
    public RunnableFeatures runnable(FeatureRegistry registry) {
        return RunnableFeatures.of(registry, statuses(registry));
    }

    public SourceStatus status(SourceDefinition source) {
        List<TableName> reads = source.table().map(List::of).orElseGet(() -> tablesOf(source));
        return new SourceStatus(source, reads, reads.stream().filter(t -> !onDisk.contains(t)).toList());
    }

    private List<TableName> tablesOf(SourceDefinition source) {
        LogicalPlan plan;
        try {
            plan = spark.sessionState().sqlParser().parsePlan(source.sql().orElseThrow());
        } catch (org.apache.spark.sql.catalyst.parser.ParseException | RuntimeException e) {
            throw new FeatureDefinitionException("source '" + source.name() + "': the sql does not parse: "
                    + SourceFrames.firstLine(e.getMessage()), e);
        }
        Set<TableName> out = new LinkedHashSet<>();
        walk(plan, out);
        return List.copyOf(out);
    }

    private static void walk(LogicalPlan plan, Set<TableName> out) {
        if (plan instanceof UnresolvedWith with) {
            // The WITH clause's queries are inner children, not children.
            for (LogicalPlan inner : asJava(with.innerChildren())) {
                walk(inner, out);
            }
        }
        if (plan instanceof UnresolvedRelation relation) {
            List<String> parts = asJava(relation.multipartIdentifier());
            if (parts.size() >= 2) {
                try {
                    out.add(TableName.of(parts.get(parts.size() - 2), parts.get(parts.size() - 1)));
                } catch (IllegalArgumentException e) {
                    // Not a lake table name (another catalog's object): Spark resolves it when the source is read.
                }
            }
            // One-part names are CTEs or temporary views, not lake tables.
        }
        for (LogicalPlan child : asJava(plan.children())) {
            walk(child, out);
        }
        for (Expression e : asJava(plan.expressions())) {
            walkExpression(e, out);
        }
    }

    /** Subqueries inside expressions ({@code WHERE x IN (SELECT ... FROM silver.movies)}) read tables too. */
    private static void walkExpression(Expression e, Set<TableName> out) {
        if (e instanceof PlanExpression<?> sub && sub.plan() instanceof LogicalPlan p) {
            walk(p, out);
        }
        for (Expression child : asJava(e.children())) {
            walkExpression(child, out);
        }
    }
}
