package dev.millrace.core.spark;

import dev.millrace.core.tables.Column;
import dev.millrace.core.tables.TableContract;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Spark side of {@link TableContract}: one mapping from the engine-neutral column types to Spark's. */
public final class SparkSchemas {

    private SparkSchemas() {
    }

    public static StructType of(TableContract table) {
        StructType s = new StructType();
        for (Column c : table.columns()) {
            s = s.add(c.name(), type(c), c.nullable());
        }
        return s;
    }

    public static DataType type(Column c) {
        return switch (c.type()) {
            case STRING -> DataTypes.StringType;
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case FLOAT -> DataTypes.FloatType;
            case DOUBLE -> DataTypes.DoubleType;
            case TIMESTAMP -> DataTypes.TimestampType;
            case DATE -> DataTypes.DateType;
        };
    }
}
