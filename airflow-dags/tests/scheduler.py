"""A real Airflow 3 deployment for one test, in its own home and SQLite database: the API server (tasks talk to it
through the Task SDK), the DAG processor (parses the DAGs folder into the database) and the scheduler with the
LocalExecutor, which runs every task whose upstream tasks are done at once, each in its own process (Airflow 3 allows
the LocalExecutor on SQLite; Airflow 2 did not).

The scheduler makes no runs of its own (``scheduler.use_job_schedule = False``): the test triggers one for a logical
date and clears it to run it again, as an operator would. Every wait polls the database against a deadline.
"""
from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

TERMINAL = {"success", "failed"}
BAD_TASK_STATES = {"failed", "upstream_failed", "up_for_retry", "removed"}


@dataclass(frozen=True)
class TaskRun:
    task_id: str
    state: str | None
    try_number: int
    start: datetime | None
    end: datetime | None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ts(value) -> datetime | None:
    if value is None:
        return None
    # Airflow keeps UTC; SQLite hands it back without an offset.
    return datetime.fromisoformat(str(value).replace(" ", "T")).replace(tzinfo=timezone.utc)


class Scheduler:
    """``with Scheduler(home, dags, env) as af:`` starts the three components; leaving stops them."""

    def __init__(self, home: Path, dags: Path, env: dict[str, str], *, parallelism: int = 4):
        self.home, self.dags = home, dags
        self.port = _free_port()
        self.airflow = str(Path(sys.executable).with_name("airflow"))
        self.env = {
            **env,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            # One secret for the scheduler, which signs the tasks' tokens, and the API server, which checks them.
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "True",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        }
        self.env.pop("AIRFLOW__CORE__UNIT_TEST_MODE", None)
        self.db = home / "airflow.db"
        self.procs: dict[str, subprocess.Popen] = {}

    # -- lifecycle -------------------------------------------------------------------------------------------------
    def __enter__(self) -> Scheduler:
        self.home.mkdir(parents=True, exist_ok=True)
        self.cli("db", "migrate", timeout=600)
        for name in ("api-server", "dag-processor", "scheduler"):
            log = open(self.home / f"{name}.log", "wb")
            self.procs[name] = subprocess.Popen([self.airflow, name], env=self.env, cwd=self.home, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 60
        for p in self.procs.values():
            try:
                p.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.wait(timeout=30)

    def cli(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([self.airflow, *args], env=self.env, cwd=self.home, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"airflow {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def logs(self, lines: int = 40) -> str:
        out = []
        for name in self.procs:
            text = (self.home / f"{name}.log").read_text(errors="replace").splitlines()
            out.append(f"--- {name} (exit {self.procs[name].poll()}):\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    # -- the database ----------------------------------------------------------------------------------------------
    def query(self, sql: str, *params) -> list[tuple]:
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def wait_for(self, what: str, check, timeout: float, every: float = 1.0):
        """Polls ``check()`` until it returns something truthy, at most ``timeout`` seconds; fails with the logs."""
        deadline = time.monotonic() + timeout
        while True:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            assert not dead, f"{dead} exited while waiting for {what}\n{self.logs()}"
            try:
                got = check()
            except sqlite3.OperationalError:  # the table is not there yet, or a writer holds the lock
                got = None
            if got:
                return got
            assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}"
            time.sleep(every)

    def wait_for_dag(self, dag_id: str, timeout: float = 300) -> None:
        self.wait_for(f"{dag_id} parsed into the database",
                      lambda: self.query("select 1 from serialized_dag where dag_id = ?", dag_id), timeout)
        self.wait_for("the API server", self._api_up, timeout)

    def _api_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                return True
        except OSError:
            return False

    def tasks(self, dag_id: str, run_id: str) -> dict[str, TaskRun]:
        rows = self.query("select task_id, state, try_number, start_date, end_date from task_instance "
                          "where dag_id = ? and run_id = ?", dag_id, run_id)
        return {r[0]: TaskRun(r[0], r[1], r[2], _ts(r[3]), _ts(r[4])) for r in rows}

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        rows = self.query("select state from dag_run where dag_id = ? and run_id = ?", dag_id, run_id)
        return rows[0][0] if rows else None

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> dict[str, TaskRun]:
        """Waits until the run ends; fails at once when a task fails or is up for a retry (with its log's tail)."""
        def done():
            tis = self.tasks(dag_id, run_id)
            bad = {t.task_id: t.state for t in tis.values() if t.state in BAD_TASK_STATES}
            assert not bad, f"{dag_id} {run_id}: {bad}\n" + "\n".join(self.task_log(dag_id, run_id, t, 60) for t in bad)
            return tis if self.run_state(dag_id, run_id) in TERMINAL else None
        tis = self.wait_for(f"{dag_id} {run_id} to finish", done, timeout, every=2.0)
        assert self.run_state(dag_id, run_id) == "success", {t.task_id: t.state for t in tis.values()}
        return tis

    def task_log(self, dag_id: str, run_id: str, task_id: str, lines: int | None = None) -> str:
        files = sorted((self.home / "logs").glob(f"dag_id={dag_id}/run_id={run_id}/task_id={task_id}/**/*.log"))
        text = "\n".join(f.read_text(errors="replace") for f in files)
        return f"--- {task_id} log:\n" + ("\n".join(text.splitlines()[-lines:]) if lines else text)


def overlap_seconds(a: TaskRun, b: TaskRun) -> float:
    """How long two task runs ran at the same time (0 when one ended before the other started)."""
    assert a.start and a.end and b.start and b.end, (a, b)
    return max(0.0, (min(a.end, b.end) - max(a.start, b.start)).total_seconds())
