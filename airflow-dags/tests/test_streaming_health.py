"""The streaming health checks judge a real Structured Streaming checkpoint (pyspark, rate source, local mode)."""
from __future__ import annotations

import pytest

from millrace_dags.streaming import (StreamUnhealthy, judge_spark_stream, latest_flink_checkpoint_age,
                                     read_spark_checkpoint)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    import logging

    from pyspark.sql import SparkSession

    # py4j logs at interpreter exit, after pytest closed its streams ("Logging error ... closed file").
    logging.getLogger("py4j").setLevel(logging.WARNING)
    folder = tmp_path_factory.mktemp("stream") / "checkpoint"
    spark = (SparkSession.builder.master("local[1]").appName("millrace-health-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate())
    try:
        query = (spark.readStream.format("rate").option("rowsPerSecond", 50).load()
                 .writeStream.format("noop").option("checkpointLocation", str(folder)).start())
        while len(query.recentProgress) < 3:  # bounded by the stream's own progress; fails the test if it dies
            assert query.isActive, query.exception()
            query.awaitTermination(0.5)
        query.stop()
    finally:
        spark.stop()
    # stop() may interrupt a batch between its offsets and its commit; drop that batch's offsets so the fixture is a
    # cleanly stopped query (the tests below make an in-flight batch on purpose).
    committed = max(int(p.name) for p in (folder / "commits").iterdir() if p.name.isdigit())
    for p in (folder / "offsets").iterdir():
        if p.name.isdigit() and int(p.name) > committed:
            p.unlink()
    return folder


def test_a_progressing_stream_is_healthy(checkpoint):
    cp = read_spark_checkpoint(checkpoint)
    assert cp.last_committed_batch is not None and cp.last_committed_batch >= 1
    report = judge_spark_stream(cp, lag=0, max_lag=100, max_idle_seconds=60, now=cp.committed_at + 1)
    assert report["last_committed_batch"] == cp.last_committed_batch
    # Idle (nothing to read) is healthy however old the last commit is.
    judge_spark_stream(cp, lag=0, max_lag=100, max_idle_seconds=60, now=cp.committed_at + 86_400)


def test_waiting_work_without_commits_is_unhealthy(checkpoint, tmp_path):
    import shutil

    stuck = tmp_path / "stuck"
    shutil.copytree(checkpoint, stuck)
    last = max(int(p.name) for p in (stuck / "commits").iterdir() if p.name.isdigit())
    (stuck / "commits" / str(last)).unlink()  # the batch was planned (offsets) but never committed
    cp = read_spark_checkpoint(stuck)
    assert cp.last_offsets_batch > cp.last_committed_batch
    judge_spark_stream(cp, lag=None, max_lag=100, max_idle_seconds=60, now=cp.committed_at + 30)
    with pytest.raises(StreamUnhealthy, match="no commit for"):
        judge_spark_stream(cp, lag=None, max_lag=100, max_idle_seconds=60, now=cp.committed_at + 120)


def test_lag_over_the_limit_is_unhealthy(checkpoint):
    cp = read_spark_checkpoint(checkpoint)
    with pytest.raises(StreamUnhealthy, match="101 records behind"):
        judge_spark_stream(cp, lag=101, max_lag=100, max_idle_seconds=60, now=cp.committed_at + 1)


def test_missing_checkpoints_are_unhealthy(tmp_path):
    with pytest.raises(StreamUnhealthy, match="no committed micro-batch"):
        judge_spark_stream(read_spark_checkpoint(tmp_path / "none"), lag=None, max_lag=1, max_idle_seconds=60)
    assert latest_flink_checkpoint_age(tmp_path) is None
    chk = tmp_path / "job" / "chk-3"
    chk.mkdir(parents=True)
    (chk / "_metadata").write_bytes(b"x")
    assert 0 <= latest_flink_checkpoint_age(tmp_path) < 3600


def test_streaming_dag_checks_a_lake(dagbag, checkpoint, tmp_path, monkeypatch):
    """dag.test() of millrace_streaming_ops: the Spark check runs for real on a lake holding a real checkpoint; the
    spark-submit maintenance tasks are marked success (their arguments are checked in test_render.py)."""
    import shutil

    import pendulum
    from airflow.utils.state import DagRunState

    lake = tmp_path / "lake"
    shutil.copytree(checkpoint, lake / "_checkpoints" / "stream-spark")
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_LAKE", str(lake))
    dag = dagbag.get_dag("millrace_streaming_ops")
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", 0)
    dr = dag.test(logical_date=pendulum.datetime(2024, 6, 1, 10, tz="UTC"), run_conf={"check_flink": False},
                  mark_success_pattern="^(compact|vacuum)_bronze_events$")
    states = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    assert dr.state == DagRunState.SUCCESS, states
    assert states["check_spark_stream"] == "success", states

    # No checkpoint at all: the check fails the run.
    shutil.rmtree(lake / "_checkpoints")
    dr = dag.test(logical_date=pendulum.datetime(2024, 6, 1, 11, tz="UTC"), run_conf={"check_flink": False},
                  mark_success_pattern="^(compact|vacuum)_bronze_events$")
    states = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    assert states["check_spark_stream"] == "failed", states
