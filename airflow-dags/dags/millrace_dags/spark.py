"""spark-submit tasks that run one command of the project's jar (``dev.millrace.jobs.Main``).

Deployment settings are read when a task runs, never when the DAG file is parsed: Airflow Variables
(``millrace_jar``, ``millrace_lake``, ...) through templates, and the Spark connection (master, deploy mode).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from millrace_dags.callbacks import notify_failure

MAIN_CLASS = "dev.millrace.jobs.Main"
CONN_ID = "millrace_spark"

# Settings shared by every command, rendered at run time. An option whose value renders empty is dropped before
# spark-submit runs (see MillraceSparkSubmitOperator.final_args), so optional Variables may stay unset.
LAKE = "--lake={{ var.value.millrace_lake }}"
CONF_FILE = "--conf={{ var.value.get('millrace_conf', '') }}"
JAR = "{{ var.value.millrace_jar }}"
SPARK_JARS = "{{ var.value.get('millrace_spark_jars', '') }}"
PROPERTIES_FILE = "{{ var.value.get('millrace_spark_properties', '') }}"
DATE = "--date={{ ds }}"

# Retries: 3 more tries, 1, 2, then 4 minutes apart (exponential backoff, capped).
DEFAULT_ARGS: dict[str, Any] = {
    "owner": "millrace",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=3),
    "on_failure_callback": notify_failure,
}

_EXIT_CODE = re.compile(r"Error code is: (\d+)")


class MillraceSparkSubmitOperator(SparkSubmitOperator):
    """A ``SparkSubmitOperator`` for one Millrace command.

    It drops options whose value rendered empty (``--conf=`` when ``millrace_conf`` is unset) and, for a gate command
    (``evaluate``), turns the job's exit code 4 (``ExitCodes.NOT_PROMOTED``) into a skip with the job's reason in the
    task log, so downstream tasks (score, publish) do not run while any other failure still fails the task.
    """

    ui_color = "#f4d9a6"

    def __init__(self, *, skip_exit_codes: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.skip_exit_codes = tuple(skip_exit_codes)

    @staticmethod
    def final_args(args: Sequence[str] | None) -> list[str]:
        """The rendered arguments without the ``--option=`` entries whose value is empty."""
        return [a for a in (args or []) if not (a.startswith("-") and a.endswith("="))]

    def execute(self, context: Any) -> None:
        from airflow.exceptions import AirflowException, AirflowSkipException

        self.application_args = self.final_args(self.application_args)
        try:
            super().execute(context)
        except AirflowException as e:
            match = _EXIT_CODE.search(str(e))
            code = int(match.group(1)) if match else None
            if code is None or code not in self.skip_exit_codes:
                raise
            reason = self._reason()
            self.log.warning("%s said no (exit code %d): %s", self.task_id, code, reason)
            raise AirflowSkipException(f"{self.task_id}: exit code {code}, downstream tasks skipped: {reason}") from None

    def _reason(self) -> str:
        """The job's own reason line (it contains NOT_PROMOTED or 'not promoted'), else its last output line."""
        lines = [str(x) for x in getattr(self._hook, "_last_submit_log_lines", []) or []]
        for line in reversed(lines):
            if "not_promoted" in line.lower().replace(" ", "_"):
                return line.strip()
        own = [x for x in lines if x.strip() and " INFO " not in x and " WARN " not in x]
        return own[-1].strip() if own else "no reason printed"


def millrace_task(task_id: str, command: Sequence[str], *, date: bool = True, **kwargs: Any) -> MillraceSparkSubmitOperator:
    """A task that runs ``Main <command...> [--date=<ds>] --lake=... [--conf=...]`` with spark-submit.

    ``date`` is False only for commands that take no ``--date`` (they work on the lake's latest state).
    """
    args = [*command]
    if date:
        args.append(DATE)
    args += [LAKE, CONF_FILE]
    return MillraceSparkSubmitOperator(
        task_id=task_id,
        conn_id=CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        jars=SPARK_JARS,
        properties_file=PROPERTIES_FILE,
        name=f"millrace-{task_id}-{{{{ ds }}}}",
        application_args=args,
        **kwargs,
    )
