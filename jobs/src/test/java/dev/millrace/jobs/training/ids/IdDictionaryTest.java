package dev.millrace.jobs.training.ids;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The id dictionary on its own: dense ids in key order, stable across runs, new keys after the maximum, the limit. */
class IdDictionaryTest {

    static final StructType RATINGS = new StructType().add("user_id", "string").add("item_id", "string");

    SparkSession spark;
    IdDictionary users;

    @BeforeEach
    void newLake() {
        spark = SharedSpark.session();
        Lake lake = Lake.from(SharedSpark.configWithLake("id-dictionary"));
        users = new IdDictionary(spark, lake, TableName.of("meta", "user_ids"), "user");
    }

    private Dataset<Row> ratings(String... users) {
        return spark.createDataFrame(Arrays.stream(users).map(u -> RowFactory.create(u, "SKU-1")).toList(), RATINGS);
    }

    private Map<String, Integer> entries() {
        Map<String, Integer> out = new TreeMap<>();
        for (Row r : users.read().collectAsList()) {
            assertThat(out.put(r.getString(0), r.getInt(1))).as("one entry per key").isNull();
        }
        return out;
    }

    @Test
    void keysGetDenseIdsInKeyOrderAndARerunChangesNothing() {
        IdDictionary.Extension first = users.extend(ratings("b7", "a-1", "b7", "40213", "c d"), "user_id");
        assertThat(first.added()).isEqualTo(4);
        assertThat(first.maxId()).isEqualTo(3);
        assertThat(entries()).containsExactlyEntriesOf(new TreeMap<>(Map.of("40213", 0, "a-1", 1, "b7", 2, "c d", 3)));
        assertThat(users.read().schema().simpleString()).isEqualTo("struct<key:string,id:int>");

        IdDictionary.Extension again = users.extend(ratings("a-1", "c d"), "user_id");
        assertThat(again.added()).isZero();
        assertThat(again.version()).as("no commit when nothing is new").isEqualTo(first.version());
    }

    @Test
    void newKeysArriveAfterTheMaximumAndOldEntriesKeepTheirIds() {
        users.extend(ratings("u-2", "u-9", "u-5"), "user_id");
        Map<String, Integer> before = entries();
        // New keys that sort before and between the old ones: numbering by sort order must not shift old ids.
        IdDictionary.Extension next = users.extend(ratings("u-1", "u-9", "u-3", "u-0", "u-2"), "user_id");
        Map<String, Integer> after = entries();
        assertThat(next.added()).isEqualTo(3);
        before.forEach((k, id) -> assertThat(after).containsEntry(k, id));
        assertThat(after).containsEntry("u-0", 3).containsEntry("u-1", 4).containsEntry("u-3", 5).hasSize(6);
        assertThat(next.maxId()).isEqualTo(5);
    }

    @Test
    void idsBeyondTheIntRangeFailClearlyAndWriteNothing() {
        users.extend(ratings("first"), "user_id");
        // One entry just below the limit (the table is append-only, so appending it is the only way in).
        spark.createDataFrame(List.of(RowFactory.create("near-limit", Integer.MAX_VALUE - 1)), IdDictionary.SCHEMA)
                .write().format("delta").mode("append").save(users.location());
        long rows = users.read().count();
        users.extend(ratings("last"), "user_id");
        assertThat(entries()).containsEntry("last", Integer.MAX_VALUE);
        assertThatThrownBy(() -> users.extend(ratings("one-too-many"), "user_id"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("meta.user_ids")
                .hasMessageContaining("2^31 - 1")
                .hasMessageContaining("MLlib ALS");
        assertThat(users.read().count()).isEqualTo(rows + 1);
        assertThat(users.read().where("key = 'one-too-many'").count()).isZero();
    }

    @Test
    void entriesCannotBeDeleted() {
        users.extend(ratings("kept"), "user_id");
        assertThatThrownBy(() -> io.delta.tables.DeltaTable.forPath(spark, users.location()).delete("key = 'kept'"))
                .hasMessageContaining("append");
        assertThat(users.read().select("key").as(Encoders.STRING()).collectAsList()).containsExactly("kept");
    }
}
