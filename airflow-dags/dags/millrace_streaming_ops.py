"""Millrace streaming operations, hourly: checks the streaming jobs' health and Kafka lag, and compacts (OPTIMIZE,
Z-order) then vacuums the streaming table bronze.events with the project's maintain command.

Health reads the lake (the Spark job's checkpoint, the Flink job's checkpoints) and asks Kafka for high watermarks
when the ``millrace_kafka_bootstrap`` Variable is set; see airflow-dags/README.md for every setting.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task

from millrace_dags.spark import DEFAULT_ARGS, millrace_task

with DAG(
    dag_id="millrace_streaming_ops",
    description="Streaming health and lag; compaction and VACUUM of bronze.events",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 2, "execution_timeout": timedelta(hours=1)},
    tags=["millrace", "streaming"],
    params={
        "table": Param("bronze.events", type="string"),
        "max_lag": Param(100_000, type="integer", minimum=0, description="Records behind before a check fails"),
        "max_idle_minutes": Param(15, type="integer", minimum=1,
                                  description="Minutes without progress while work is waiting"),
        "check_flink": Param(True, type="boolean", description="Check the Flink job too"),
    },
    doc_md=__doc__,
) as dag:

    @task(retries=2)
    def check_spark_stream(params=None, var=None):
        """Fails when the Spark streaming job is stuck or too far behind (see millrace_dags.streaming)."""
        from millrace_dags.streaming import judge_spark_stream, kafka_lag, read_spark_checkpoint

        lake = var["value"].get("millrace_lake")
        checkpoint = var["value"].get("millrace_spark_checkpoint", "") or f"{lake}/_checkpoints/stream-spark"
        cp = read_spark_checkpoint(checkpoint.removeprefix("file:"))
        bootstrap = var["value"].get("millrace_kafka_bootstrap", "")
        lag = kafka_lag(bootstrap, cp.offsets) if bootstrap and cp.offsets else None
        return judge_spark_stream(cp, lag, max_lag=params["max_lag"], max_idle_seconds=params["max_idle_minutes"] * 60)

    @task(retries=2)
    def check_flink_stream(params=None, var=None):
        """Fails when the Flink job's group lags more than max_lag or its last checkpoint is too old."""
        from millrace_dags.streaming import StreamUnhealthy, kafka_group_positions, kafka_lag, latest_flink_checkpoint_age

        if not params["check_flink"]:
            return {"checked": False}
        lake = var["value"].get("millrace_lake")
        checkpoints = var["value"].get("millrace_flink_checkpoint", "") or f"{lake}/_checkpoints/stream-flink"
        age = latest_flink_checkpoint_age(checkpoints.removeprefix("file:"))
        if age is None:
            raise StreamUnhealthy(f"flink stream: no completed checkpoint under {checkpoints}")
        if age > params["max_idle_minutes"] * 60:
            raise StreamUnhealthy(f"flink stream: last checkpoint {age:.0f} s ago (max {params['max_idle_minutes']} min)")
        bootstrap = var["value"].get("millrace_kafka_bootstrap", "")
        lag = None
        if bootstrap:
            group = var["value"].get("millrace_flink_group", "millrace-flink")
            lag = kafka_lag(bootstrap, kafka_group_positions(bootstrap, group, "events"))
            if lag > params["max_lag"]:
                raise StreamUnhealthy(f"flink stream: {lag} records behind (max {params['max_lag']})")
        return {"seconds_since_checkpoint": round(age, 1), "lag_records": lag}

    compact = millrace_task("compact_bronze_events", ["maintain", "--table={{ params.table }}", "--no-vacuum"],
                            date=False)
    vacuum = millrace_task("vacuum_bronze_events", ["maintain", "--table={{ params.table }}"], date=False)

    check_spark_stream()
    check_flink_stream()
    compact >> vacuum
