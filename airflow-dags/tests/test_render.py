"""The templated spark-submit settings render to the right command line for a logical date."""
from __future__ import annotations

from conftest import render

from millrace_dags.spark import MillraceSparkSubmitOperator

DS = "2024-06-03"


def args(dag, task_id, params=None):
    task = render(dag, task_id, DS, params)
    return task, MillraceSparkSubmitOperator.final_args(task.application_args)


def test_daily_commands_render_for_the_logical_date(dagbag, deployment_vars):
    dag = dagbag.get_dag("millrace_daily")
    lake = "--lake=s3a://lake/millrace"
    expected = {
        "ingest": ["ingest", "--source=s3a://landing/ratings", "--format=movielens", f"--date={DS}", lake],
        "features": ["features", f"--date={DS}", lake],
        "training_set": ["training-set", "--from=2024-03-05", f"--to={DS}", lake],
        "export_training": ["export-training", "--shards=4", f"--date={DS}", lake],
        "train": ["train", f"--date={DS}", lake],
        "evaluate": ["evaluate", f"--date={DS}", lake],
        "score": ["score", f"--date={DS}", lake],
        "publish": ["publish", lake],
        # Every table but publish's inputs (and the streaming DAG's bronze.events) beside publish; publish's after it.
        "maintain": ["maintain", "--exclude=bronze.events", "--exclude=features.*_features",
                     "--exclude=gold.popular_items", "--exclude=gold.recommendations", "--exclude=silver.ratings", lake],
        "maintain_published": ["maintain", "--table=features.*_features", "--table=gold.popular_items",
                               "--table=gold.recommendations", "--table=silver.ratings", "--skip-missing", lake],
    }
    assert set(expected) == set(dag.task_ids)
    for task_id, want in expected.items():
        task, got = args(dag, task_id)
        assert got == want, task_id
        assert task.application == "/opt/millrace/millrace-jobs.jar"
        assert task._java_class == "dev.millrace.jobs.Main"
        assert task.name == f"millrace-{task_id}-{DS}"
        # Optional Variables unset: no --jars and no --properties-file.
        assert not task.jars and not task.properties_file


def test_params_and_optional_variables_override(dagbag, deployment_vars, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_CONF", "/etc/millrace/cluster.conf")
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_SPARK_JARS", "/opt/delta/delta-spark.jar,/opt/delta/delta-storage.jar")
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_SPARK_PROPERTIES", "/etc/millrace/spark.properties")
    dag = dagbag.get_dag("millrace_daily")
    task, got = args(dag, "ingest", {"source": "/landing/backfill", "source_format": "json"})
    assert got == ["ingest", "--source=/landing/backfill", "--format=json", f"--date={DS}",
                   "--lake=s3a://lake/millrace", "--conf=/etc/millrace/cluster.conf"]
    assert task.jars == "/opt/delta/delta-spark.jar,/opt/delta/delta-storage.jar"
    assert task.properties_file == "/etc/millrace/spark.properties"
    _, got = args(dag, "training_set", {"training_days": 7})
    assert got[:3] == ["training-set", "--from=2024-05-27", f"--to={DS}"]
    _, got = args(dag, "export_training", {"export_shards": 16})
    assert "--shards=16" in got


def test_streaming_maintenance_renders(dagbag, deployment_vars):
    dag = dagbag.get_dag("millrace_streaming_ops")
    _, got = args(dag, "compact_bronze_events")
    assert got == ["maintain", "--table=bronze.events", "--no-vacuum", "--lake=s3a://lake/millrace"]
    _, got = args(dag, "vacuum_bronze_events")
    assert got == ["maintain", "--table=bronze.events", "--lake=s3a://lake/millrace"]
