package dev.millrace.jobs.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.StoreSettings;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Everything a lake holds that a user can see, as one comparable value per part: each Delta table as its row count
 * and a checksum of all its rows (order-free: the sum of each row's 64-bit hash), each other file (the registry's
 * versions, the export's shards and manifest) as a digest of its bytes or of its JSON, and the serving store's pointer,
 * versions, key counts and answers. What may differ between two correct runs is left out, and only that: the times
 * and ids of a run (columns {@code _run_id}, {@code _ingested_at}, {@code run_id}, {@code ingested_at}, {@code generated_at}; JSON keys
 * ending in {@code _at}), the run reports and logs ({@code _runs/}, {@code _logs/}), Delta's own log and file names,
 * and hidden files (staging and trash folders a crash leaves are not part of any table or version).
 */
record LakeState(Map<String, String> parts) {

    /** Columns that hold the time or id of the run that wrote a row: two correct runs write different ones. */
    static final Set<String> RUN_COLUMNS = Set.of("_run_id", "_ingested_at", "run_id", "ingested_at", "generated_at", "started_at",
            "finished_at", "committed_at");
    private static final Set<String> NOT_LAKE_CONTENT = Set.of("_runs", "_logs", "_warehouse", "_serving");
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    static LakeState of(SparkSession spark, MillraceConfig config, Path lake) {
        Map<String, String> parts = new TreeMap<>();
        try {
            walk(spark, lake, lake, parts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store(spark, config, lake, parts);
        return new LakeState(parts);
    }

    /** The parts that differ, each as "name: expected | actual", for a failure message. */
    List<String> differences(LakeState actual) {
        List<String> out = new ArrayList<>();
        TreeMap<String, String> all = new TreeMap<>(parts);
        actual.parts.forEach(all::putIfAbsent);
        for (String k : all.keySet()) {
            String a = parts.get(k);
            String b = actual.parts.get(k);
            if (a == null || !a.equals(b)) {
                out.add(k + ": " + a + " | " + b);
            }
        }
        return out;
    }

    private static void walk(SparkSession spark, Path root, Path dir, Map<String, String> parts) throws IOException {
        if (Files.isDirectory(dir.resolve("_delta_log"))) {
            parts.put("table " + root.relativize(dir), table(spark, dir));
            return;
        }
        if (Files.exists(dir.resolve("_SUCCESS"))) {
            parts.put("dataset " + root.relativize(dir), dataset(spark, dir));
            return;
        }
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        }
        for (Path p : children) {
            String name = p.getFileName().toString();
            if (name.startsWith(".") || name.endsWith(".crc") || (dir.equals(root) && NOT_LAKE_CONTENT.contains(name))) {
                continue;
            }
            if (Files.isDirectory(p)) {
                walk(spark, root, p, parts);
            } else {
                parts.put("file " + root.relativize(p), file(spark, root, p));
            }
        }
    }

    private static String table(SparkSession spark, Path dir) {
        Dataset<Row> df = spark.read().format("delta").load(dir.toString());
        List<String> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            if (!RUN_COLUMNS.contains(f.name())) {
                String c = "`" + f.name() + "`";
                cols.add(f.dataType() instanceof MapType ? "to_json(" + c + ")" : c);
            }
        }
        Row r = df.selectExpr("count(*)", "coalesce(sum(cast(xxhash64(" + String.join(", ", cols)
                + ") AS DECIMAL(38,0))), 0)").first();
        return "rows=" + r.getLong(0) + " sum=" + r.get(1) + " columns=" + cols.size();
    }

    /**
     * A folder Spark wrote (Spark ML's model data and metadata): its part files have random names, so its rows are
     * compared, Parquet as rows and text as JSON lines without Spark ML's {@code timestamp} and random {@code uid}.
     */
    private static String dataset(SparkSession spark, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        if (!files.isEmpty() && files.get(0).toString().endsWith(".parquet")) {
            Dataset<Row> df = spark.read().parquet(dir.toString());
            Row r = df.selectExpr("count(*)", "coalesce(sum(cast(xxhash64(*) AS DECIMAL(38,0))), 0)").first();
            return "rows=" + r.getLong(0) + " sum=" + r.get(1);
        }
        List<String> lines = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                JsonNode n = JSON.readTree(line);
                if (n instanceof ObjectNode o) {
                    o.remove(List.of("timestamp", "uid"));
                }
                dropTimes(n);
                lines.add(JSON.writeValueAsString(canonical(n)));
            }
        }
        lines.sort(null);
        return digest(String.join("\n", lines).getBytes());
    }

    /**
     * A Parquet file as its rows (two writers of the same rows may encode them differently), JSON (by name or by its
     * first byte, as the registry's alias files and a legacy {@code CURRENT}) canonically, anything else as its bytes.
     */
    private static String file(SparkSession spark, Path root, Path p) throws IOException {
        String name = p.getFileName().toString();
        if (name.endsWith(".parquet")) {
            Row r = spark.read().parquet(p.toString())
                    .selectExpr("count(*)", "coalesce(sum(cast(xxhash64(*) AS DECIMAL(38,0))), 0)").first();
            return "rows=" + r.getLong(0) + " sum=" + r.get(1);
        }
        byte[] bytes = Files.readAllBytes(p);
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (name.endsWith(".json") || text.startsWith("{")) {
            return json(text, root);
        }
        return digest(bytes);
    }

    /**
     * JSON without its times, with lake paths as {@code <lake>} (a manifest or version names the folders it points at,
     * and each crash runs in its own copy of the lake), keys sorted and numbers by value (8 = 8.0).
     */
    private static String json(String text, Path root) throws IOException {
        // Any lake beside this one: a lake copied from another names the folders of the one it was copied from.
        String masked = text.replaceAll(Pattern.quote(root.toAbsolutePath().getParent().toString()) + "/[^/\"]+",
                "<lake>");
        JsonNode n = JSON.readTree(masked);
        dropTimes(n);
        return digest(JSON.writeValueAsBytes(canonical(n)));
    }

    private static Object canonical(JsonNode n) {
        if (n.isObject()) {
            TreeMap<String, Object> m = new TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), canonical(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(c -> l.add(canonical(c)));
            return l;
        }
        if (n.isNumber()) {
            return n.decimalValue().stripTrailingZeros().toPlainString();
        }
        return n.isNull() ? null : n.asText();
    }

    private static void dropTimes(JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<String> drop = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (f.endsWith("_at") || f.endsWith("At")) {
                    drop.add(f);
                }
            }
            o.remove(drop);
        }
        n.forEach(LakeState::dropTimes);
    }

    /** The store's pointer and versions, and the current version's counts and answers (without their run stamps). */
    private static void store(SparkSession spark, MillraceConfig config, Path lake, Map<String, String> parts) {
        if (!Files.isDirectory(lake.resolve("_serving"))) {
            return;
        }
        StoreSettings settings = StoreSettings.from(config.with(Map.of("millrace.lake.root", lake.toString())));
        try (OnlineStore store = OnlineStores.open(settings)) {
            parts.put("store pointer", store.pointer().map(Object::toString).orElse("none"));
            parts.put("store versions", store.versions().toString());
            Optional<Long> current = store.pointer().map(p -> p.current());
            if (current.isEmpty()) {
                return;
            }
            long v = current.get();
            List<Keyspace> spaces = List.of(Keyspace.RECOMMENDATIONS, Keyspace.POPULAR, Keyspace.features("user"),
                    Keyspace.features("item"));
            for (Keyspace ks : spaces) {
                parts.put("store count " + ks, Long.toString(store.count(v, ks)));
            }
            parts.put("store popular", store.get(v, Keyspace.POPULAR, Keyspace.POPULAR_KEY).map(LakeState::answer)
                    .orElse("none"));
            MessageDigest recs = sha();
            MessageDigest users = sha();
            for (Row r : spark.read().format("delta").load(lake.resolve("gold/recommendations").toString())
                    .select("user_id").orderBy("user_id").collectAsList()) {
                String user = r.getString(0);
                recs.update(store.get(v, Keyspace.RECOMMENDATIONS, user).map(LakeState::answer).orElse("-").getBytes());
                users.update(store.get(v, Keyspace.features("user"), user).map(b -> digest(b)).orElse("-").getBytes());
            }
            parts.put("store recommendations", HexFormat.of().formatHex(recs.digest()));
            parts.put("store user features", HexFormat.of().formatHex(users.digest()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the serving store of " + lake, e);
        }
    }

    private static String answer(byte[] bytes) {
        RecommendationRecord r = RecommendationRecord.decode(bytes);
        return r.modelVersion() + " " + Arrays.toString(r.itemIds()) + " " + Arrays.toString(r.scores());
    }

    private static String digest(byte[] bytes) {
        return HexFormat.of().formatHex(sha().digest(bytes)).substring(0, 16);
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
