"""Health and lag of the streaming jobs, judged from what they leave behind: the Spark job's checkpoint (offsets and
commits folders) and the Kafka offsets the Flink job commits for its consumer group.

Lag is records not yet processed: the topic's high watermarks minus the offsets of the last committed micro-batch
(Spark) or the group's committed offsets (Flink). Kafka is asked only when a bootstrap address is configured.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path


class StreamUnhealthy(Exception):
    """A streaming job is stuck, stale or too far behind; the message says which and by how much."""


@dataclass
class SparkCheckpoint:
    """The state of a Structured Streaming checkpoint: last planned and last committed batch, and its offsets."""

    last_offsets_batch: int | None
    last_committed_batch: int | None
    committed_at: float | None  # epoch seconds of the last commit file
    offsets: dict[str, dict[int, int]] = field(default_factory=dict)  # topic -> partition -> next offset to read


def _batch_files(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(p.name): p for p in folder.iterdir() if p.name.isdigit()}


def read_spark_checkpoint(checkpoint: str | Path) -> SparkCheckpoint:
    """Reads ``offsets/<batch>`` and ``commits/<batch>`` of a Spark checkpoint on a local or mounted path.

    An offsets file is a version line, the batch metadata, then one JSON line per source; a Kafka source's line maps
    topic -> partition -> offset. Offsets of the last committed batch are the records the job has fully processed.
    """
    root = Path(checkpoint)
    offsets = _batch_files(root / "offsets")
    commits = _batch_files(root / "commits")
    last_commit = max(commits) if commits else None
    parsed: dict[str, dict[int, int]] = {}
    if last_commit is not None and last_commit in offsets:
        for line in offsets[last_commit].read_text().splitlines()[2:]:
            try:
                source = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(source, dict):
                for topic, parts in source.items():
                    if isinstance(parts, dict):
                        parsed[topic] = {int(p): int(o) for p, o in parts.items()}
    return SparkCheckpoint(
        last_offsets_batch=max(offsets) if offsets else None,
        last_committed_batch=last_commit,
        committed_at=commits[last_commit].stat().st_mtime if last_commit is not None else None,
        offsets=parsed,
    )


def kafka_lag(bootstrap: str, positions: dict[str, dict[int, int]], client_conf: dict | None = None) -> int:
    """Records behind: sum over partitions of (high watermark - position)."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "millrace-airflow-health",
                         "enable.auto.commit": False, **(client_conf or {})})
    try:
        lag = 0
        for topic, parts in positions.items():
            for partition, position in parts.items():
                _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)
                lag += max(0, high - position)
        return lag
    finally:
        consumer.close()


def kafka_group_positions(bootstrap: str, group: str, topic: str, client_conf: dict | None = None) -> dict[str, dict[int, int]]:
    """The offsets a consumer group (the Flink job's) has committed, per partition of the topic."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         **(client_conf or {})})
    try:
        meta = consumer.list_topics(topic, timeout=30).topics[topic]
        parts = [TopicPartition(topic, p) for p in meta.partitions]
        committed = consumer.committed(parts, timeout=30)
        return {topic: {tp.partition: max(tp.offset, 0) for tp in committed}}
    finally:
        consumer.close()


def judge_spark_stream(cp: SparkCheckpoint, lag: int | None, *, max_lag: int, max_idle_seconds: float,
                       now: float | None = None) -> dict:
    """Raises StreamUnhealthy when the Spark job has never committed, or has work waiting (lag > 0, or a planned
    batch not committed) and no commit for longer than ``max_idle_seconds``, or is more than ``max_lag`` records
    behind. An idle topic with nothing to read is healthy however old the last commit is."""
    now = time.time() if now is None else now
    if cp.last_committed_batch is None:
        raise StreamUnhealthy("spark stream: no committed micro-batch in the checkpoint (never ran or never finished one)")
    idle = now - (cp.committed_at or now)
    pending = (cp.last_offsets_batch or 0) > cp.last_committed_batch
    report = {"last_committed_batch": cp.last_committed_batch, "seconds_since_commit": round(idle, 1),
              "batch_in_flight": pending, "lag_records": lag}
    if lag is not None and lag > max_lag:
        raise StreamUnhealthy(f"spark stream: {lag} records behind (max {max_lag}): {report}")
    if (pending or (lag or 0) > 0) and idle > max_idle_seconds:
        raise StreamUnhealthy(f"spark stream: work waiting but no commit for {idle:.0f} s (max {max_idle_seconds:.0f}): {report}")
    return report


def latest_flink_checkpoint_age(checkpoint_dir: str | Path, now: float | None = None) -> float | None:
    """Seconds since the newest completed Flink checkpoint (a chk-N folder with _metadata), None when none."""
    now = time.time() if now is None else now
    root = Path(checkpoint_dir)
    metas = [m for m in root.glob("*/chk-*/_metadata")] + [m for m in root.glob("chk-*/_metadata")]
    if not metas:
        return None
    return now - max(m.stat().st_mtime for m in metas)
