package dev.millrace.jobs.sql;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code millrace tables}: the lake's tables with their current version, row count, files and size. */
@Command(name = "tables", mixinStandardHelpOptions = true,
        description = "List the lake's Delta tables with version, row count, file count and size.",
        footer = {"", "Example:", "  bin/millrace tables --format csv"})
public final class TablesCommand extends SparkCommand {

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    protected String jobName() {
        return "tables";
    }

    @Override
    protected boolean writesReport() {
        return false;
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        SparkSession spark = ctx.spark();
        Lake lake = ctx.lake();
        List<Row> rows = new ArrayList<>();
        for (TableName t : new LakeCatalog(spark, lake).discover()) {
            String ref = LakeCatalog.quoted(t);
            Row detail = spark.sql("DESCRIBE DETAIL " + ref).select("numFiles", "sizeInBytes", "partitionColumns")
                    .first();
            long version = spark.sql("DESCRIBE HISTORY " + ref + " LIMIT 1").select("version").first().getLong(0);
            long count = spark.table(t.qualified()).count();
            rows.add(RowFactory.create(t.qualified(), version, count, detail.getLong(0), detail.getLong(1),
                    String.join(", ", scala.jdk.javaapi.CollectionConverters.asJava(detail.<String>getSeq(2))),
                    lake.location(t)));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("table", DataTypes.StringType, false),
                DataTypes.createStructField("version", DataTypes.LongType, false),
                DataTypes.createStructField("rows", DataTypes.LongType, false),
                DataTypes.createStructField("files", DataTypes.LongType, false),
                DataTypes.createStructField("bytes", DataTypes.LongType, false),
                DataTypes.createStructField("partitioned_by", DataTypes.StringType, false),
                DataTypes.createStructField("location", DataTypes.StringType, false)));
        new ResultPrinter(System.out).print(spark.createDataFrame(rows, schema),
                ResultFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)), 10_000);
        return ExitCodes.OK;
    }
}
