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
                                 "score", "publish", "maintain"}
    assert edges(dag) == {
        ("ingest", "features"), ("features", "training_set"),
        ("training_set", "export_training"), ("export_training", "train"),
        ("train", "evaluate"), ("evaluate", "score"), ("score", "publish"),
        ("publish", "maintain"),
    }
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    # maintain still runs when the evaluate gate skipped score and publish, never after a failure.
    assert dag.get_task("maintain").trigger_rule == "none_failed"
    assert dag.get_task("evaluate").skip_exit_codes == (4,)
    assert all(dag.get_task(t).skip_exit_codes == () for t in dag.task_ids if t != "evaluate")


# What each daily task writes (docs/airflow.md): two tasks that write the same thing must never run at once.
DAILY_WRITES = {
    "ingest": {"bronze", "silver", "quarantine", "meta.ingest_ledger"},
    "features": {"features"},
    "training_set": {"gold.training_set"},
    "export_training": {"exports/training/<ds>"},
    "train": {"exports/training/<ds>", "_models", "meta.user_ids", "meta.item_ids", "gold.als_factors"},
    "evaluate": {"_models", "gold.evaluation"},
    "score": {"gold.recommendations", "gold.popular_items"},
    "publish": {"_serving"},
    "maintain": {"bronze", "silver", "quarantine", "features", "gold.training_set", "gold.recommendations",
                 "gold.popular_items"},
}


def test_no_two_daily_tasks_that_write_the_same_path_can_run_at_once(dagbag):
    dag = dagbag.get_dag("millrace_daily")
    assert set(DAILY_WRITES) == set(dag.task_ids)
    for a in dag.task_ids:
        for b in dag.task_ids:
            if a < b and DAILY_WRITES[a] & DAILY_WRITES[b]:
                ordered = b in dag.get_task(a).get_flat_relative_ids(upstream=False) \
                    or a in dag.get_task(b).get_flat_relative_ids(upstream=False)
                assert ordered, f"{a} and {b} both write {DAILY_WRITES[a] & DAILY_WRITES[b]} and may run at once"


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
