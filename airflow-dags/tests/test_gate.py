"""The evaluate gate's exit-code mapping, through a real spark-submit (pyspark's) and the DAG's own operator class:
exit 4 (ExitCodes.NOT_PROMOTED) becomes a skip carrying the job's reason, any other failure still fails the task."""
from __future__ import annotations

import json

import pytest
from airflow.exceptions import AirflowException, AirflowSkipException

from millrace_dags.spark import MillraceSparkSubmitOperator

APP = """
import sys
print("evaluate: not promoted: v0002 ndcg_at_10=0.1000 does not beat current v0001 (0.2000) by the margin 0.0020")
sys.exit(int(sys.argv[1]))
"""


def gate(tmp_path, code: int) -> MillraceSparkSubmitOperator:
    app = tmp_path / "gate_app.py"
    app.write_text(APP)
    return MillraceSparkSubmitOperator(task_id=f"evaluate_{code}", conn_id="millrace_spark", application=str(app),
                                       application_args=[str(code), "--conf="], skip_exit_codes=(4,))


@pytest.fixture(autouse=True)
def spark_conn(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MILLRACE_SPARK", json.dumps({"conn_type": "spark", "host": "local[1]"}))


def test_exit_4_skips_downstream_with_the_reason(tmp_path):
    with pytest.raises(AirflowSkipException) as skipped:
        gate(tmp_path, 4).execute({})
    assert "exit code 4" in str(skipped.value)
    assert "not promoted: v0002" in str(skipped.value)


def test_any_other_failure_still_fails(tmp_path):
    with pytest.raises(AirflowException) as failed:
        gate(tmp_path, 1).execute({})
    assert not isinstance(failed.value, AirflowSkipException)


def test_success_is_success(tmp_path):
    gate(tmp_path, 0).execute({})
