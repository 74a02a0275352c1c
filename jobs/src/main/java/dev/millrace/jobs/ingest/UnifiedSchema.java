package dev.millrace.jobs.ingest;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a parsed record before it is split into bronze, silver and quarantine: each field's raw text
 * ({@code raw_<field>}), its typed value ({@code <field>}), the verdict and where the row came from.
 */
final class UnifiedSchema {

    static final String REASON = "_reject_reason";
    static final String DETAIL = "_reject_detail";
    static final String RAW_TEXT = "_raw_text";
    static final String SOURCE_FILE = "_source_file";
    static final String LINE = "_line";

    private UnifiedSchema() {
    }

    static String raw(String field) {
        return "raw_" + field;
    }

    static StructType of(Entity entity) {
        List<StructField> fields = new ArrayList<>();
        for (Field f : entity.fields()) {
            fields.add(DataTypes.createStructField(raw(f.name()), DataTypes.StringType, true));
        }
        for (Field f : entity.fields()) {
            fields.add(DataTypes.createStructField(f.name(), f.type().sparkType(), true));
        }
        fields.add(DataTypes.createStructField(REASON, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(DETAIL, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(RAW_TEXT, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(SOURCE_FILE, DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(LINE, DataTypes.LongType, false));
        return DataTypes.createStructType(fields);
    }
}
