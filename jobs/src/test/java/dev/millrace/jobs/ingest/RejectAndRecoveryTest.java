package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reject threshold, the retry after a rejection, and the roll-back of a run that died half way. */
class RejectAndRecoveryTest {

    private static Path source(String name, String ratings) throws Exception {
        Path dir = SharedSpark.newLakeDir(name);
        Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n" + ratings);
        return dir;
    }

    @Test
    void tooManyRejectsFailTheJobAfterQuarantineAndARetryDoesNotDuplicateQuarantine() throws Exception {
        Path src = source("reject-src", "1,1,4.0,1500000000\n1,2,9.0,1500000000\n1,3,4.0,1500000000\n");
        IngestFixture strict = new IngestFixture("reject", Map.of("millrace.ingest.max-reject-ratio", 0.1));
        IngestFixture.Result r = strict.ingestMovieLens(src.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
        assertThat(r.report().get("result").toString()).startsWith("REJECTED");
        assertThat(strict.table(Entity.RATINGS.quarantine()).count()).isEqualTo(1);
        assertThat(strict.exists(Entity.RATINGS.silver())).isFalse();
        assertThat(strict.exists(Entity.RATINGS.bronze())).isFalse();

        // Same lake, a looser threshold: the file is retried (it was rejected, not ingested).
        IngestFixture loose = new IngestFixture("unused", Map.of("millrace.ingest.max-reject-ratio", 0.5,
                "millrace.lake.root", strict.lake.root()));
        IngestFixture.Result again = loose.ingestMovieLens(src.toString());
        assertThat(again.code()).isEqualTo(ExitCodes.OK);
        assertThat(loose.table(Entity.RATINGS.silver()).count()).isEqualTo(2);
        assertThat(loose.table(Entity.RATINGS.quarantine()).count()).as("no duplicate quarantine rows").isEqualTo(1);
        assertThat(loose.ingestMovieLens(src.toString()).number("ratings", "files_already_ingested")).isEqualTo(1);
    }

    @Test
    void aRunThatDiedHalfWayIsRolledBackBeforeTheNextOne() throws Exception {
        IngestFixture lake = new IngestFixture("recovery", Map.of());
        Path first = source("recovery-1", "1,1,4.0,1500000000\n");
        assertThat(lake.ingestMovieLens(first.toString()).code()).isZero();
        long bronzeVersion = lake.version(Entity.RATINGS.bronze());

        writeOrphan(lake, "dead-run");
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(2);

        Path second = source("recovery-2", "2,1,3.0,1500000000\n");
        IngestFixture.Result r = lake.ingestMovieLens(second.toString());
        assertThat(r.code()).isZero();
        assertThat(r.report().get("recovered_from_unfinished_runs").toString())
                .contains("bronze.ratings: restored to version " + bronzeVersion);
        assertThat(lake.table(Entity.RATINGS.bronze()).filter("_run_id = 'dead-run'").count()).isZero();
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(2);
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(2);
        assertThat(DataTypes.LongType).isEqualTo(lake.table(Entity.RATINGS.bronze()).schema().apply("_line").dataType());
    }

    @Test
    void aMaintenanceCommitOnTopOfADeadRunDoesNotHideIt() throws Exception {
        IngestFixture lake = new IngestFixture("recovery-optimize", Map.of());
        assertThat(lake.ingestMovieLens(source("recovery-optimize-1", "1,1,4.0,1500000000\n").toString()).code()).isZero();
        long bronzeVersion = lake.version(Entity.RATINGS.bronze());
        writeOrphan(lake, "dead-run-2");
        // maintain compacts the table after the crash: a commit without an ingest tag on top of the dead run's.
        lake.spark.sql("OPTIMIZE delta.`" + lake.lake.location(Entity.RATINGS.bronze()) + "`");

        IngestFixture.Result r = lake.ingestMovieLens(source("recovery-optimize-2", "2,1,3.0,1500000000\n").toString());
        assertThat(r.code()).isZero();
        assertThat(r.report().get("recovered_from_unfinished_runs").toString())
                .contains("bronze.ratings: restored to version " + bronzeVersion);
        assertThat(lake.table(Entity.RATINGS.bronze()).filter("_run_id = 'dead-run-2'").count()).isZero();
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(2);
    }

    @Test
    void aDeadRunUnderACommitThatChangedRowsStopsIngestAndChangesNothing() throws Exception {
        IngestFixture lake = new IngestFixture("recovery-blocked", Map.of());
        assertThat(lake.ingestMovieLens(source("recovery-blocked-1", "1,1,4.0,1500000000\n").toString()).code()).isZero();
        writeOrphan(lake, "dead-run-3");
        String bronze = lake.lake.location(Entity.RATINGS.bronze());
        lake.spark.sql("DELETE FROM delta.`" + bronze + "` WHERE _run_id <> 'dead-run-3'");
        long version = lake.version(Entity.RATINGS.bronze());

        Path second = source("recovery-blocked-2", "2,1,3.0,1500000000\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lake.ingestMovieLens(second.toString()))
                .hasStackTraceContaining("bronze.ratings holds commits of an unfinished ingest run")
                .hasStackTraceContaining("(DELETE)");
        assertThat(lake.version(Entity.RATINGS.bronze())).isEqualTo(version);
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(1);
    }

    /** A run that wrote to bronze and then died: its commit carries its run id, the ledger never heard of it. */
    private static void writeOrphan(IngestFixture lake, String runId) {
        StructType schema = lake.table(Entity.RATINGS.bronze()).schema();
        Row orphan = lake.table(Entity.RATINGS.bronze()).first();
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = orphan.get(i);
        }
        values[schema.fieldIndex("_run_id")] = runId;
        lake.spark.conf().set(IngestJob.USER_METADATA, RunRecovery.TAG + runId);
        try {
            lake.spark.createDataFrame(List.of(RowFactory.create(values)), schema).write().format("delta")
                    .mode("append").save(lake.lake.location(Entity.RATINGS.bronze()));
        } finally {
            lake.spark.conf().unset(IngestJob.USER_METADATA);
        }
        assertThat(lake.table(Entity.RATINGS.bronze()).filter("_run_id = '" + runId + "'").count()).isEqualTo(1);
    }
}
