"""Test set-up: Airflow's home and metadata database in a temporary folder, the DAGs folder on sys.path (as Airflow's
dag bundle does), and helpers to load the DAGs and render a task's templates for a logical date."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAGS = HERE.parent / "dags"
REPO = HERE.parent.parent

# Before anything imports airflow: never touch ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="millrace-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
if str(DAGS) not in sys.path:
    sys.path.append(str(DAGS))

import pytest  # noqa: E402

# Lines the tests want at the end of the run (what the end-to-end test ran), shown by pytest_terminal_summary.
SUMMARY: list[str] = []


def pytest_configure(config):
    # test_e2e_daily.py (every task a real spark-submit, twice: ~7 minutes on 2 cores) is opt-in so that bin/test fits
    # CI's 30-minute budget; bin/test --e2e and bin/test-dags --e2e run it. The launcher smoke test (bin/test-launcher)
    # runs the same commands in the default run.
    config.addinivalue_line("markers", "e2e: the end-to-end DAG run (opt-in: bin/test-dags --e2e)")


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


@pytest.fixture
def deployment_vars(monkeypatch):
    """The Variables a deployment sets (environment-variable backend, as a container would set them)."""
    values = {
        "MILLRACE_JAR": "/opt/millrace/millrace-jobs.jar",
        "MILLRACE_LAKE": "s3a://lake/millrace",
        "MILLRACE_SOURCE": "s3a://landing/ratings",
    }
    for k, v in values.items():
        monkeypatch.setenv(f"AIRFLOW_VAR_{k}", v)
    return values


def render(dag, task_id: str, ds: str, params: dict | None = None):
    """Renders one task's templated fields as a task run for logical date ``ds`` would, and returns the task."""
    import copy

    from airflow.sdk import macros
    from airflow.sdk.execution_time.context import VariableAccessor

    task = copy.deepcopy(dag.get_task(task_id))
    resolved = {k: dag.params[k] for k in dag.params}
    resolved.update(params or {})
    context = {
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "params": resolved,
        "var": {"value": VariableAccessor(deserialize_json=False), "json": VariableAccessor(deserialize_json=True)},
        "macros": macros,
    }
    task.render_template_fields(context)
    return task
