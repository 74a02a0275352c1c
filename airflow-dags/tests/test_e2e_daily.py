"""End to end: millrace_daily run by a real Airflow scheduler (LocalExecutor, tests/scheduler.py) for one logical date on
a small generated dataset, each task a real spark-submit (pyspark's Spark 4.0.0) running the project's jar in local
mode. The LocalExecutor runs independent tasks at once: publish and maintain must overlap in time, and every file the
run wrote must lie in what a task running at that moment declares it writes (millrace_dags.writes). Then the run is
cleared and runs again, which must change nothing: no table gets a new Delta version and the online store keeps its
version.

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

import pytest
from conftest import DAGS, REPO, SUMMARY
from scheduler import Scheduler, TaskRun, overlap_seconds

from millrace_dags.writes import DAILY, RUN_REPORT, Names

# Opt-in (bin/test-dags --e2e): conftest.py says why.
pytestmark = pytest.mark.e2e

# MILLRACE_E2E_JAR: another build of the jar (for example a copy, while the working tree is being rebuilt).
JAR = Path(os.environ.get("MILLRACE_E2E_JAR", REPO / "jobs" / "target" / "millrace-jobs.jar"))
DS = "2024-05-31"
RUN_ID = f"e2e__{DS}"
COMMAND_OF = {
    "ingest": "ingest", "features": "features", "training_set": "training-set", "export_training": "export-training",
    "train": "train", "evaluate": "evaluate", "score": "score", "publish": "publish", "maintain": "maintain",
    "maintain_published": "maintain",
}
# Seconds one run of the DAG may take (each task a JVM; ~4 minutes on a quiet 2-core machine, more when it is busy).
RUN_TIMEOUT = float(os.environ.get("MILLRACE_E2E_RUN_TIMEOUT", "1500"))

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


def lake_files(lake: Path) -> dict[str, float]:
    """Every file under the lake (relative path -> mtime)."""
    return {str(p.relative_to(lake)): p.stat().st_mtime for p in lake.rglob("*") if p.is_file()}


def lake_name(lake: Path, rel: str) -> str:
    """The table (layer.name) a file belongs to, else its own path."""
    parts = rel.split("/")
    if len(parts) > 2 and (lake / parts[0] / parts[1] / "_delta_log").is_dir():
        return f"{parts[0]}.{parts[1]}"
    return rel


def undeclared_writes(lake: Path, files: dict[str, float], tis: dict[str, TaskRun]) -> list[str]:
    """Files whose last change no task running at that moment declares in millrace_dags.writes."""
    slack = 2.0
    declared = {t: Names.of(*(n.replace("{ds}", DS) for n in io.writes.include), exclude=io.writes.exclude)
                for t, io in DAILY.items()}
    bad = []
    for rel, mtime in sorted(files.items()):
        if RUN_REPORT.fullmatch(rel):
            continue
        running = [t for t, ti in tis.items()
                   if ti.start.timestamp() - slack <= mtime <= ti.end.timestamp() + slack]
        name = lake_name(lake, rel)
        if not any(declared[t].covers(name) for t in running):
            bad.append(f"{rel} ({name}, changed while {running or 'no task'} ran)")
    return bad


def run(af: Scheduler, dag_id: str) -> dict[str, TaskRun]:
    tis = af.wait_for_run(dag_id, RUN_ID, RUN_TIMEOUT)
    states = {t: ti.state for t, ti in tis.items()}
    assert states == {t: "success" for t in COMMAND_OF}, states
    return tis


def timeline(tis: dict[str, TaskRun]) -> str:
    t0 = min(ti.start for ti in tis.values())
    return ", ".join(f"{t} {(ti.start - t0).total_seconds():.0f}-{(ti.end - t0).total_seconds():.0f}s"
                     for t, ti in sorted(tis.items(), key=lambda kv: kv[1].start))


def test_daily_dag_under_the_scheduler_runs_tasks_at_once_and_rerun_changes_nothing(e2e_env, monkeypatch, tmp_path):
    lake, source, props = e2e_env
    submit(props, "generate", f"--out={source}", "--users=150", "--items=120", "--events=3000", "--seed=7",
           "--from=2024-03-01T00:00:00Z", "--to=2024-05-31T12:00:00Z")
    # A 3,000-event holdout is too small to judge a model against the baselines: let the first model through, so the
    # run goes all the way to publish (the gate's refusal is the not-promoted path, exit 4 -> skipped downstream).
    conf = tmp_path / "e2e.conf"
    conf.write_text("millrace.evaluate.first-must-beat-baselines = false\n")
    monkeypatch.setenv("AIRFLOW_VAR_MILLRACE_CONF", str(conf))
    assert set(COMMAND_OF.values()) <= jar_commands(props)

    dag_id = "millrace_daily"
    with Scheduler(tmp_path / "airflow", DAGS, dict(os.environ)) as af:
        af.wait_for_dag(dag_id)
        af.cli("dags", "unpause", dag_id)
        af.cli("dags", "trigger", dag_id, "--logical-date", f"{DS}T00:00:00+00:00", "--run-id", RUN_ID)
        tis = run(af, dag_id)
        assert "promoted: " in af.task_log(dag_id, RUN_ID, "evaluate"), "evaluate's verdict is not in the task log"
        # Real parallelism: publish and maintain (both right after score) ran at the same time.
        together = overlap_seconds(tis["publish"], tis["maintain"])
        SUMMARY.append(f"e2e millrace_daily {DS} under the scheduler (LocalExecutor): publish and maintain ran "
                       f"{together:.1f} s at once; {timeline(tis)}")
        assert together > 0, timeline(tis)
        files = lake_files(lake)
        assert undeclared_writes(lake, files, tis) == []

        first = table_versions(lake)
        for table in ["bronze.ratings", "silver.ratings", "silver.movies", "gold.training_set", "gold.recommendations",
                      "gold.popular_items"]:
            assert table in first, first
        assert any(t.startswith("features.") for t in first), first
        before = store_version(props, lake)
        assert before.isdigit() and int(before) >= 1, before

        # The same logical date again (the run cleared, as an operator would): every task succeeds, no table gets a
        # new version, the store keeps its version.
        files = lake_files(lake)  # serving status may touch the store's lock file
        af.cli("tasks", "clear", dag_id, "--start-date", DS, "--end-date", DS, "--yes")
        af.wait_for("the cleared run to start again", lambda: af.run_state(dag_id, RUN_ID) != "success", 120)
        again = run(af, dag_id)
        assert all(ti.try_number == tis[t].try_number + 1 for t, ti in again.items()), again
        SUMMARY.append(f"e2e millrace_daily {DS} re-run: {timeline(again)}")
        changed = {f: m for f, m in lake_files(lake).items() if files.get(f) != m}
        assert undeclared_writes(lake, changed, again) == []
        assert table_versions(lake) == first
        assert store_version(props, lake) == before
