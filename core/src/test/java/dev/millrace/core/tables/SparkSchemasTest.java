package dev.millrace.core.tables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.core.spark.SparkSchemas;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The Spark adapter builds bronze.events from the one column list; streaming's KernelSchemasTest checks the Kernel one. */
class SparkSchemasTest {

    @Test
    void bronzeEventsSchemaIsTheContractsColumnList() {
        StructType spark = SparkSchemas.of(BronzeEvents.CONTRACT);
        String described = java.util.Arrays.stream(spark.fields()).map(SparkSchemasTest::describe)
                .collect(Collectors.joining(","));
        assertThat(described).isEqualTo(BronzeEvents.CONTRACT.describe());
        assertThat(described).startsWith("event_id:STRING,user_id:STRING,item_id:STRING,");
    }

    private static String describe(StructField f) {
        String type = switch (f.dataType().typeName()) {
            case "string" -> "STRING";
            case "integer" -> "INT";
            case "long" -> "LONG";
            case "float" -> "FLOAT";
            case "double" -> "DOUBLE";
            case "timestamp" -> "TIMESTAMP";
            case "date" -> "DATE";
            default -> f.dataType().typeName();
        };
        return f.name() + ":" + type + (f.nullable() ? "?" : "");
    }
}
