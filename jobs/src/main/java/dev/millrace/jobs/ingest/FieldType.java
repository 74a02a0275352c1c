package dev.millrace.jobs.ingest;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The typed form a source value takes in silver. */
public enum FieldType {
    /** An entity key: a string following core's EntityKey rule (numeric feeds' ids are their decimal text). */
    ID(DataTypes.StringType),
    /** A finite double. */
    DOUBLE(DataTypes.DoubleType),
    TEXT(DataTypes.StringType),
    /** An instant, parsed by the source's event-time format. */
    TIMESTAMP(DataTypes.TimestampType),
    /** A {@code |}-separated list, such as MovieLens genres; "(no genres listed)" is the empty list. */
    GENRES(DataTypes.createArrayType(DataTypes.StringType, false));

    private final DataType sparkType;

    FieldType(DataType sparkType) {
        this.sparkType = sparkType;
    }

    public DataType sparkType() {
        return sparkType;
    }
}
