"""Millrace's daily batch pipeline: ingest -> features -> training set -> export -> train -> evaluate gate -> score ->
then, side by side, publish (-> maintain_published) and maintain; each step one command of the project's jar run with
spark-submit for the run's logical date. What each task reads and writes is declared in ``millrace_dags.writes``; no
two tasks that may run at once touch the same table or folder (tests/test_writes.py).

Settings (airflow-dags/README.md): the ``millrace_spark`` connection (Spark master, deploy mode), the Variables
``millrace_jar``, ``millrace_lake``, ``millrace_source`` (+ optional ``millrace_conf``, ``millrace_spark_jars``,
``millrace_spark_properties``, ``millrace_alert_webhook``) and the run params below.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param

from millrace_dags.spark import DEFAULT_ARGS, millrace_task
from millrace_dags.writes import DAILY, maintain_args

with DAG(
    dag_id="millrace_daily",
    description="Daily batch: ingest, features, training, evaluate gate, score, publish, maintain",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # every run writes the same lake tables
    default_args=DEFAULT_ARGS,
    tags=["millrace", "batch"],
    params={
        "source": Param("", type="string",
                        description="Landing folder to ingest (default: the millrace_source Variable); "
                                    "SOURCE/date=<ds> is read when it exists."),
        "source_format": Param("movielens", enum=["movielens", "csv", "json", "parquet"]),
        "training_days": Param(90, type="integer", minimum=1,
                               description="Label window of the training set: (ds - N days) .. ds"),
        "export_shards": Param(4, type="integer", minimum=1, description="Shards of the exported training data"),
    },
    doc_md=__doc__,
) as dag:
    ingest = millrace_task("ingest", [
        "ingest",
        "--source={{ params.source or var.value.millrace_source }}",
        "--format={{ params.source_format }}",
    ])
    features = millrace_task("features", ["features"])
    # training-set takes a label window instead of --date: it ends on the logical date.
    training_set = millrace_task("training_set", [
        "training-set",
        "--from={{ macros.ds_add(ds, -params.training_days) }}",
        "--to={{ ds }}",
    ], date=False)
    export_training = millrace_task("export_training", ["export-training", "--shards={{ params.export_shards }}"])
    train = millrace_task("train", ["train"])
    # Exit code 4 (NOT_PROMOTED): the candidate stays a candidate; score and publish are skipped with its reason.
    evaluate = millrace_task("evaluate", ["evaluate"], skip_exit_codes=(4,))
    score = millrace_task("score", ["score"])
    # publish and maintain work on the lake's latest state (no --date option).
    publish = millrace_task("publish", ["publish"], date=False)
    # OPTIMIZE + VACUUM of every table but the ones publish reads (and bronze.events, the streaming DAG's), beside
    # publish; then publish's inputs, once publish has read them. Both run after a NOT_PROMOTED skip too (score and
    # publish skipped), never after a failure.
    maintain = millrace_task("maintain", ["maintain", *maintain_args(DAILY["maintain"])], date=False,
                             trigger_rule="none_failed")
    maintain_published = millrace_task("maintain_published", ["maintain", *maintain_args(DAILY["maintain_published"])],
                                       date=False, trigger_rule="none_failed")

    # export_training before train: train reads (and, when it is missing, writes) the export of the same date, so
    # running export_training beside it could delete the shards train is reading.
    ingest >> features >> training_set >> export_training >> train >> evaluate >> score >> [publish, maintain]
    publish >> maintain_published
