"""The DAG files load and have the expected tasks, dependencies, retries and callbacks."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import DAGS

from millrace_dags.callbacks import notify_failure
from millrace_dags.spark import MAIN_CLASS, MillraceSparkSubmitOperator


def test_dagbag_has_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"millrace_daily", "millrace_streaming_ops"}
    # Helper modules are not DAG files.
    assert all(Path(d.fileloc).parent == DAGS for d in dagbag.dags.values())


def edges(dag):
    return {(t.task_id, d) for t in dag.tasks for d in t.downstream_task_ids}


def test_daily_dag_tasks_and_dependencies(dagbag):
    dag = dagbag.get_dag("millrace_daily")
    assert set(dag.task_ids) == {"ingest", "features", "training_set", "export_training", "train", "evaluate",
                                 "score", "publish", "maintain", "maintain_published"}
    assert edges(dag) == {
        ("ingest", "features"), ("features", "training_set"),
        ("training_set", "export_training"), ("export_training", "train"),
        ("train", "evaluate"), ("evaluate", "score"),
        # publish and maintain side by side (tests/test_writes.py: they touch different tables).
        ("score", "publish"), ("score", "maintain"), ("publish", "maintain_published"),
    }
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    # maintain and maintain_published still run when the evaluate gate skipped score and publish, never after a failure.
    assert dag.get_task("maintain").trigger_rule == "none_failed"
    assert dag.get_task("maintain_published").trigger_rule == "none_failed"
    assert dag.get_task("evaluate").skip_exit_codes == (4,)
    assert all(dag.get_task(t).skip_exit_codes == () for t in dag.task_ids if t != "evaluate")


def test_streaming_ops_dag_tasks_and_dependencies(dagbag):
    dag = dagbag.get_dag("millrace_streaming_ops")
    assert set(dag.task_ids) == {"check_spark_stream", "check_flink_stream", "compact_bronze_events",
                                 "vacuum_bronze_events"}
    assert edges(dag) == {("compact_bronze_events", "vacuum_bronze_events")}
    assert dag.max_active_runs == 1


@pytest.mark.parametrize("dag_id", ["millrace_daily", "millrace_streaming_ops"])
def test_every_task_retries_with_backoff_and_alerts(dagbag, dag_id):
    for task in dagbag.get_dag(dag_id).tasks:
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.max_retry_delay == timedelta(minutes=30)
        callbacks = task.on_failure_callback if isinstance(task.on_failure_callback, list) else [task.on_failure_callback]
        assert notify_failure in callbacks, task.task_id
        if isinstance(task, MillraceSparkSubmitOperator):
            assert task._java_class == MAIN_CLASS
            assert task._conn_id == "millrace_spark"
