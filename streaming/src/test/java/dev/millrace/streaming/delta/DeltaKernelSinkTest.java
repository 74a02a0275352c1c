package dev.millrace.streaming.delta;

import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventType;
import dev.millrace.streaming.flink.Validated;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Delta Kernel two-phase sink's pieces directly: idempotent commits by transaction id, version continuity. */
class DeltaKernelSinkTest {

    private static final String USER = "5f0c2a9e-3b1d-4c7a-9e2f-8d6b1a0c4e7f";
    private static final String ITEM = "7340-RED";

    @Test
    void commitsOncePerVersionAndNeverReusesOne(@TempDir Path dir) throws Exception {
        String table = dir.resolve("bronze/events").toUri().toString();
        DeltaKernelCommitter committer = new DeltaKernelCommitter(table,
                InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup()));
        KernelTableReader reader = new KernelTableReader(KernelEngines.create());

        DeltaKernelWriter writer = writer(table, null);
        writer.write(event("a", "2026-11-29T23:59:59Z", 0), null);
        writer.write(event("b", "2026-11-30T00:00:00Z", 1), null);
        writer.write(event("c", "2026-11-30T10:00:00Z", 2), null);
        DeltaCommittable first = only(writer.prepareCommit());
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.files()).hasSize(2); // one file per event_date
        assertThat(reader.read(table, List.of("event_id"))).as("prepared files are invisible").isEmpty();

        assertThat(committer.commit(first)).isTrue();
        assertThat(committer.commit(first)).as("a replayed committable is skipped").isFalse();
        DeltaCommittable.Serializer ser = new DeltaCommittable.Serializer();
        assertThat(committer.commit(ser.deserialize(1, ser.serialize(first)))).isFalse();
        assertThat(ids(reader, table)).containsExactlyInAnyOrder("a", "b", "c");

        // A restored writer continues from its state; files prepared by a failed attempt stay out of the table.
        List<Long> state = writer.snapshotState(7);
        assertThat(state).containsExactly(2L);
        writer.write(event("lost", "2026-11-30T11:00:00Z", 3), null);
        only(writer.prepareCommit()); // version 2, never committed: the attempt failed before its checkpoint completed
        DeltaKernelWriter restored = writer(table, state.get(0));
        restored.write(event("d", "2026-11-30T11:00:00Z", 3), null);
        DeltaCommittable replay = only(restored.prepareCommit());
        assertThat(replay.version()).isEqualTo(2);
        assertThat(committer.commit(replay)).isTrue();
        assertThat(ids(reader, table)).containsExactlyInAnyOrder("a", "b", "c", "d");

        // A fresh job without state starts after the largest version Delta holds for the app id.
        DeltaKernelWriter fresh = writer(table, null);
        fresh.write(event("e", "2026-11-30T12:00:00Z", 4), null);
        DeltaCommittable next = only(fresh.prepareCommit());
        assertThat(next.version()).isEqualTo(3);
        assertThat(committer.commit(next)).isTrue();
        assertThat(ids(reader, table)).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
        assertThat(fresh.prepareCommit()).as("nothing buffered, nothing to commit").isEmpty();

        List<Object[]> rows = reader.read(table, List.of("event_id", "event_date", "event_time", "rating", "score",
                "user_id", "item_id"));
        Object[] a = rows.stream().filter(r -> r[0].equals("a")).findFirst().orElseThrow();
        assertThat(a[1]).isEqualTo(BronzeEventsTable.eventDate(Instant.parse("2026-11-29T23:59:59Z").toEpochMilli()));
        assertThat(a[2]).isEqualTo(Instant.parse("2026-11-29T23:59:59Z").toEpochMilli() * 1000);
        assertThat(a[3]).isEqualTo(4.5);
        assertThat(a[4]).isNull();
        assertThat(a[5]).as("string keys as they came").isEqualTo(USER);
        assertThat(a[6]).isEqualTo(ITEM);
    }

    private static DeltaKernelWriter writer(String table, Long state) {
        return new DeltaKernelWriter(table, "test-app", state,
                InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup()));
    }

    private static List<String> ids(KernelTableReader reader, String table) {
        return reader.read(table, List.of("event_id")).stream().map(r -> (String) r[0]).toList();
    }

    private static DeltaCommittable only(java.util.Collection<DeltaCommittable> cs) {
        assertThat(cs).hasSize(1);
        return cs.iterator().next();
    }

    private static Validated event(String id, String time, long offset) {
        Event e = Event.of(id, USER, ITEM, EventType.RATING, 4.5, Instant.parse(time));
        Validated v = new Validated();
        v.valid = true;
        v.eventId = e.eventId();
        v.userId = e.userId();
        v.itemId = e.itemId();
        v.eventType = e.eventType().code();
        v.rating = e.rating();
        v.eventTimeMillis = e.eventTimeMillis();
        v.topic = "events";
        v.partition = 0;
        v.offset = offset;
        return v;
    }
}
