package dev.millrace.featurestore.offline;

import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.SourceDefinition;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a feature source by its lake name (the session's catalog knows every lake table), and answers questions
 * about its schema so that a definition naming a missing column fails with the definition's name.
 */
public final class SourceFrames {

    private final SparkSession spark;

    public SourceFrames(SparkSession spark) {
        this.spark = spark;
    }

    public Dataset<Row> read(SourceDefinition source) {
        try {
            if (source.table().isPresent()) {
                return spark.table(source.table().get().qualified());
            }
            return spark.sql(source.sql().orElseThrow());
        } catch (Exception e) {
            throw new FeatureDefinitionException("source '" + source.name() + "' (" + source.describe()
                    + ") cannot be read: " + firstLine(e.getMessage()) + " (has ingest run?)", e);
        }
    }

    /** The type of a column, or a definition error naming {@code who}. */
    public static DataType columnType(Dataset<Row> frame, SourceDefinition source, String column, String who) {
        StructType schema = frame.schema();
        Optional<StructField> field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst();
        return field.orElseThrow(() -> new FeatureDefinitionException(who + ": column '" + column
                + "' not found in source '" + source.name() + "' (" + source.describe() + "); its columns are "
                + Arrays.toString(schema.fieldNames()))).dataType();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
