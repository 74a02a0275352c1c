"""Failure callbacks: one clear line per failed try in the logs and, when the ``millrace_alert_webhook`` Variable is
set, a JSON POST to it (a chat or paging webhook)."""
from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

log = logging.getLogger("millrace.alerts")


def failure_message(context: dict[str, Any]) -> dict[str, Any]:
    """What an alert says: which task of which run failed, on which try, and why."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    return {
        "dag": getattr(ti, "dag_id", None),
        "task": getattr(ti, "task_id", None),
        "run_id": getattr(dag_run, "run_id", None),
        "logical_date": str(context.get("ds")),
        "try": getattr(ti, "try_number", None),
        "error": str(context.get("exception") or "")[:2000],
    }


def notify_failure(context: dict[str, Any]) -> None:
    msg = failure_message(context)
    log.error("millrace task failed: %s", json.dumps(msg))
    try:
        from airflow.sdk import Variable

        url = Variable.get("millrace_alert_webhook", default=None)
    except Exception:  # no Variable backend reachable: the log line above is the alert
        url = None
    if url:
        req = urllib.request.Request(url, data=json.dumps(msg).encode(), headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=10).close()
        except OSError as e:
            log.error("millrace alert webhook failed: %s", e)
