package dev.millrace.streaming.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.core.tables.BronzeEvents;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.TimestampType;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Kernel adapter builds bronze.events from core's one column list: described as {@code name:TYPE[?]} it is the
 * contract, as core's SparkSchemasTest checks for the Spark adapter, so the Flink and the Spark job write one table.
 */
class KernelSchemasTest {

    @Test
    void bronzeEventsSchemaIsTheContractsColumnList() {
        String described = BronzeEventsTable.SCHEMA.fields().stream().map(KernelSchemasTest::describe)
                .collect(Collectors.joining(","));
        assertThat(described).isEqualTo(BronzeEvents.CONTRACT.describe());
        assertThat(described).startsWith("event_id:STRING,user_id:STRING,item_id:STRING,");
        assertThat(BronzeEventsTable.PARTITION_COLUMN).isEqualTo(BronzeEvents.CONTRACT.partitions().get(0));
    }

    private static String describe(StructField f) {
        DataType t = f.getDataType();
        String type;
        if (t instanceof StringType) {
            type = "STRING";
        } else if (t instanceof IntegerType) {
            type = "INT";
        } else if (t instanceof LongType) {
            type = "LONG";
        } else if (t instanceof FloatType) {
            type = "FLOAT";
        } else if (t instanceof DoubleType) {
            type = "DOUBLE";
        } else if (t instanceof TimestampType) {
            type = "TIMESTAMP";
        } else if (t instanceof DateType) {
            type = "DATE";
        } else {
            type = t.toString();
        }
        return f.getName() + ":" + type + (f.isNullable() ? "?" : "");
    }
}
