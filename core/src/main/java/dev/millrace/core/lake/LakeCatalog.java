package dev.millrace.core.lake;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes every Delta table in the lake addressable by name ({@code silver.ratings}) in a session: the lake's folder
 * layout is the catalog. Written by hand rather than using a Hive metastore because an embedded Derby metastore
 * admits one process at a time, while the lake on disk is readable by every process that shares the config (a
 * running job, {@code bin/millrace sql}, a spark-submit job). Registration is idempotent and costs one log read per
 * table.
 */
public final class LakeCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCatalog.class);

    /** Where each name registered by this JVM points: one session catalog can outlive a lake (tests, notebooks). */
    private static final java.util.Map<String, String> REGISTERED = new java.util.concurrent.ConcurrentHashMap<>();

    private final SparkSession spark;
    private final Lake lake;

    public LakeCatalog(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** Registers every {@code <root>/<layer>/<table>} folder that holds a Delta log. */
    public List<TableName> registerAll() {
        List<TableName> found = discover();
        for (TableName t : found) {
            register(t);
        }
        return found;
    }

    /**
     * Registers one table (its folder must hold a Delta table) and its layer's database. A name registered earlier
     * in this JVM for another lake is re-pointed (the tables are external, so dropping the name keeps the data).
     */
    public void register(TableName table) {
        spark.sql("CREATE DATABASE IF NOT EXISTS `" + table.layer() + "` LOCATION '"
                + escape(lake.layerLocation(table.layer())) + "'");
        String location = lake.location(table);
        String key = table.qualified();
        boolean exists = spark.catalog().tableExists(table.layer(), table.name());
        if (exists && !location.equals(REGISTERED.get(key))) {
            spark.sql("DROP TABLE IF EXISTS " + quoted(table));
            exists = false;
        }
        if (!exists) {
            spark.sql("CREATE TABLE IF NOT EXISTS " + quoted(table) + " USING delta LOCATION '" + escape(location) + "'");
            REGISTERED.put(key, location);
        }
    }

    /** The Delta tables on disk, in name order. */
    public List<TableName> discover() {
        List<TableName> out = new ArrayList<>();
        try {
            Path root = new Path(lake.root());
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                return out;
            }
            for (FileStatus layer : fs.listStatus(root)) {
                String layerName = layer.getPath().getName();
                if (!layer.isDirectory() || layerName.startsWith("_") || layerName.startsWith(".")) {
                    continue;
                }
                for (FileStatus table : fs.listStatus(layer.getPath())) {
                    if (table.isDirectory() && fs.exists(new Path(table.getPath(), "_delta_log"))) {
                        try {
                            out.add(TableName.of(layerName, table.getPath().getName()));
                        } catch (IllegalArgumentException e) {
                            LOG.warn("skipping folder with a name that is not a table name: {}", table.getPath());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the lake at " + lake.root(), e);
        }
        out.sort(java.util.Comparator.comparing(TableName::qualified));
        return out;
    }

    public static String quoted(TableName table) {
        return "`" + table.layer() + "`.`" + table.name() + "`";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }
}
