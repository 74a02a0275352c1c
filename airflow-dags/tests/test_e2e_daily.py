"""End to end: ``dag.test()`` of millrace_daily for one logical date on a small generated dataset, each task a real
spark-submit (pyspark's Spark 4.0.0) running the project's jar in local mode; then the same date again, which must
change nothing: no table gets a new Delta version and the online store keeps its version.

Every task runs: the first model is let through the gate (``millrace.evaluate.first-must-beat-baselines = false``,
since a 3,000-event holdout cannot judge it), so score and publish run and the store must hold a version. The gate's
refusal (exit 4 -> skipped downstream with the reason) is tested in test_gate.py.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pendulum
import pytest
from conftest import REPO, SUMMARY

# Opt-in (bin/test-dags --e2e): conftest.py says why.
pytestmark = pytest.mark.e2e

# MILLRACE_E2E_JAR: another build of the jar (for example a copy, while the working tree is being rebuilt).
JAR = Path(os.environ.get("MILLRACE_E2E_JAR", REPO / "jobs" / "target" / "millrace-jobs.jar"))
DS = "2024-05-31"
COMMAND_OF = {
    "ingest": "ingest", "features": "features", "training_set": "training-set", "export_training": "export-training",
    "train": "train", "evaluate": "evaluate", "score": "score", "publish": "publish", "maintain": "maintain",
}

# Spark settings for a fast local run on 2 cores: few partitions, no UI, a small driver, and
# the project's log set-up (Spark at WARN, the jobs' own lines at INFO) so the task logs show the jobs' summaries.
SPARK_PROPERTIES = f"""\
spark.driver.memory 1500m
spark.ui.enabled false
spark.ui.showConsoleProgress false
spark.sql.shuffle.partitions 2
spark.default.parallelism 2
spark.databricks.delta.snapshotPartitions 2
spark.sql.sources.parallelPartitionDiscovery.parallelism 2
spark.driver.extraJavaOptions -XX:+UseParallelGC -Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true \\
  -Dlog4j2.configurationFile=file:{REPO}/conf/log4j2.properties
"""


def spark_jars() -> str:
    return subprocess.run([str(REPO / "bin" / "spark-jars")], check=True, capture_output=True, text=True).stdout.strip()


def submit(props: Path, *args: str) -> str:
    """Runs one command of the jar with spark-submit, as the DAG's tasks do; returns its output."""
    cmd = ["spark-submit", "--master", "local[2]", "--properties-file", str(props), "--jars", spark_jars(),
           "--class", "dev.millrace.jobs.Main", str(JAR), *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def jar_commands(props: Path) -> set[str]:
    out = submit(props, "--help")
    section = out.split("Commands:", 1)[1].split("Examples:", 1)[0]
    return set(re.findall(r"^  ([a-z][a-z-]*)\s", section, re.MULTILINE))


def table_versions(lake: Path) -> dict[str, int]:
    """layer.name -> latest Delta version, from each table's _delta_log."""
    versions = {}
    for log in sorted(lake.glob("*/*/_delta_log")):
        commits = [int(p.stem) for p in log.glob("*.json") if p.stem.isdigit()]
        if commits:
            versions[f"{log.parent.parent.name}.{log.parent.name}"] = max(commits)
    return versions


def store_version(props: Path, lake: Path) -> str:
    out = submit(props, "serving", "status", f"--lake={lake}")
    match = re.search(r"current:\s+(\S+)", out)
    assert match, out
    return match.group(1)


def run_dag(dag, skip: list[str]) -> dict[str, str]:
    from airflow.utils.state import DagRunState

    pattern = "^(" + "|".join(skip) + ")$" if skip else None
    dr = dag.test(logical_date=pendulum.parse(DS), mark_success_pattern=pattern)
    states = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    assert dr.state == DagRunState.SUCCESS, states
    return states


@pytest.fixture
def e2e_env(tmp_path, monkeypatch):
    assert JAR.is_file(), f"{JAR} is missing: build it first (mvn -B package -DskipTests -pl jobs -am)"
    lake, source, props = tmp_path / "lake", tmp_path / "landing", tmp_path / "spark.properties"
    props.write_text(SPARK_PROPERTIES)
    monkeypatch.chdir(tmp_path)  # Spark 4 leaves an artifacts/ folder in the working directory
    monkeypatch.setenv("DJL_CACHE_DIR", str(REPO / ".cache" / "djl"))
    monkeypatch.setenv("AIRFLOW_CONN_MILLRACE_SPARK", json.dumps({"conn_type": "spark", "host": "local[2]"}))
    for key, value in {"JAR": JAR, "LAKE": lake, "SOURCE": source, "SPARK_JARS": spark_jars(),
                       "SPARK_PROPERTIES": props}.items():
        monkeypatch.setenv(f"AIRFLOW_VAR_MILLRACE_{key}", str(value))
    return lake, source, props


def test_daily_dag_end_to_end_and_rerun_changes_nothing(dagbag, e2e_env, capfd, monkeypatch, tmp_path):
    lake, source, props = e2e_env
    submit(props, "generate", f"--out={source}", "--users=150", "--items=120", "--events=3000", "--seed=7",
           "--from=2024-03-01T00:00:00Z", "--to=2024-05-31T12:00:00Z")
    # A 3,000-event holdout is too small to judge a model against the baselines: let the first model through, so the
    # run goes all the way to publish (the gate's refusal is the not-promoted path, exit 4 -> skipped downstream).
    conf = tmp_path / "e2e.conf"
    conf.write_text("millrace.evaluate.first-must-beat-baselines = false\n")
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_CONF", str(conf))
    assert set(COMMAND_OF.values()) <= jar_commands(props)

    dag = dagbag.get_dag("millrace_daily")
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", 0)  # a failure should fail the test now, not after the backoff

    capfd.readouterr()
    states = run_dag(dag, [])
    output = capfd.readouterr()
    assert all(state == "success" for state in states.values()), states
    assert "promoted: " in output.out + output.err, "evaluate's verdict is not in the task log"
    SUMMARY.append(f"e2e millrace_daily {DS}: every task ran: {states}")

    first = table_versions(lake)
    for table in ["bronze.ratings", "silver.ratings", "silver.movies", "gold.training_set", "gold.recommendations",
                  "gold.popular_items"]:
        assert table in first, first
    assert any(t.startswith("features.") for t in first), first
    before = store_version(props, lake)
    assert before.isdigit() and int(before) >= 1, before

    # The same logical date again: same task outcomes, no new table version, the same store version.
    again = run_dag(dag, [])
    assert again == states
    assert table_versions(lake) == first
    assert store_version(props, lake) == before
