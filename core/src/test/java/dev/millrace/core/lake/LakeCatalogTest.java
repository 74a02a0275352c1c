package dev.millrace.core.lake;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakeCatalogTest {

    @Test
    void registersDeltaTablesFoundOnDiskByName() {
        SparkSession spark = SharedSpark.session();
        MillraceConfig config = SharedSpark.configWithLake("catalog");
        Lake lake = Lake.from(config);
        TableName table = TableName.parse("silverx.things");
        spark.range(5).write().format("delta").save(lake.location(table));
        // A folder without a Delta log is not a table.
        spark.range(1).write().parquet(lake.location(TableName.parse("silverx.not_delta")));

        LakeCatalog catalog = new LakeCatalog(spark, lake);
        assertThat(catalog.registerAll()).containsExactly(table);
        assertThat(spark.sql("SELECT count(*) FROM silverx.things").first().getLong(0)).isEqualTo(5L);
        // Registering again is harmless.
        catalog.registerAll();
        assertThat(spark.sql("SELECT count(*) FROM silverx.things VERSION AS OF 0").first().getLong(0)).isEqualTo(5L);
    }

    @Test
    void rejectsMalformedNames() {
        assertThatThrownBy(() -> TableName.parse("ratings")).hasMessageContaining("layer.name");
        assertThatThrownBy(() -> TableName.parse("silver.Ratings; drop")).hasMessageContaining("invalid table name");
    }
}
