"""No two tasks of the daily DAG that may run at once touch the same table or folder (millrace_dags.writes), and the
check catches a DAG that breaks the rule."""
from __future__ import annotations

import pendulum
import pytest

from millrace_dags.writes import DAILY, Names, TaskIO, conflicts, unordered_pairs

DAILY_CHAIN = ["ingest", "features", "training_set", "export_training", "train", "evaluate", "score"]


def dag_of(edges, *, extra=(), max_active_runs=1):
    """A DAG with the daily DAG's task ids (plus ``extra``) and these edges, EmptyOperators only."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG("shape", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
             max_active_runs=max_active_runs) as dag:
        ops = {t: EmptyOperator(task_id=t) for t in [*DAILY, *extra]}
        for a, b in edges:
            ops[a] >> ops[b]
    return dag


def chain(ids):
    return list(zip(ids, ids[1:]))


GOOD = [*chain(DAILY_CHAIN), ("score", "publish"), ("score", "maintain"), ("publish", "maintain_published")]


def test_every_daily_task_is_declared_and_none_that_may_run_at_once_touch_the_same_thing(dagbag):
    dag = dagbag.get_dag("millrace_daily")
    assert set(DAILY) == set(dag.task_ids)
    assert conflicts(dag) == []
    # Not true by having nothing run at once: publish runs beside maintain, maintain beside maintain_published.
    assert unordered_pairs(dag) == [("maintain", "maintain_published"), ("maintain", "publish")]


def test_the_daily_dags_maintain_tasks_maintain_what_writes_declares(dagbag):
    from millrace_dags.writes import maintain_args

    dag = dagbag.get_dag("millrace_daily")
    for task_id in ("maintain", "maintain_published"):
        assert dag.get_task(task_id).application_args[1:-2] == maintain_args(DAILY[task_id]), task_id


def test_the_copy_of_the_daily_shape_has_no_conflict():
    assert conflicts(dag_of(GOOD)) == []


def test_export_beside_train_is_caught():
    # The shape issue 16 found: both write the date's export folder.
    edges = [*chain(DAILY_CHAIN[:3]), ("training_set", "export_training"), ("training_set", "train"),
             ("export_training", "evaluate"), ("train", "evaluate"), *chain(DAILY_CHAIN[5:]), *GOOD[6:]]
    found = conflicts(dag_of(edges))
    assert "export_training writes exports/training/{ds} and train also writes exports/training/{ds}, " \
           "and nothing orders them" in found
    # train reads gold.training_set, which export_training does not write: only the export folder is shared.
    assert all("exports/training/" in f for f in found), found


def test_a_new_branch_that_shares_a_table_is_caught():
    # A second feature job beside features, writing the offline store too; and one beside ingest reading silver.
    edges = [*GOOD, ("ingest", "features_backfill"), ("features_backfill", "training_set"), ("ingest", "audit")]
    io = {**DAILY, "features_backfill": TaskIO(Names.of("features.user_features")),
          "audit": TaskIO(Names.of("gold.audit"), Names.of("silver.ratings"))}
    found = conflicts(dag_of(edges, extra=["features_backfill", "audit"]), io)
    assert "features writes features.*_features and features_backfill also writes features.user_features, " \
           "and nothing orders them" in found
    assert "ingest" not in " ".join(f for f in found if "features_backfill" in f)
    # audit runs beside every task after ingest: maintain_published rewrites the silver.ratings it reads, and
    # maintain would compact its gold.audit.
    assert "maintain_published writes silver.ratings and audit reads silver.ratings, and nothing orders them" in found
    assert "audit writes gold.audit and maintain also writes *.*, and nothing orders them" in found


def test_maintaining_every_table_beside_publish_is_caught():
    io = {**DAILY, "maintain": TaskIO(Names.of("*.*"))}
    found = conflicts(dag_of(GOOD), io)
    assert "maintain writes *.* and publish reads gold.recommendations, and nothing orders them" in found
    assert "maintain writes *.* and maintain_published also writes silver.ratings, and nothing orders them" in found


def test_an_undeclared_task_and_two_runs_at_once_are_caught():
    found = conflicts(dag_of([*GOOD, ("score", "notify")], extra=["notify"], max_active_runs=2))
    assert "notify: not declared in millrace_dags.writes" in found
    assert any("max_active_runs is 2" in f for f in found)


@pytest.mark.parametrize("a, b, overlap", [
    ("silver.ratings", "silver.ratings", True),
    ("silver.ratings", "silver.movies", False),
    ("silver.*", "silver.ratings", True),
    ("*.*", "gold.training_set", True),
    ("features.*_features", "features.user_features", True),
    ("features.*_features", "features.user_stats", False),
    ("gold.als_*", "gold.*_factors", True),
    ("gold.als_*", "gold.*_items", True),  # gold.als_items would be both
    ("meta.*_ids", "meta.ingested_*", True),  # meta.ingested_ids would be both
    ("meta.*_ids", "meta.ingested_files", False),
    ("_models/", "_models/recommender/v0001", True),
    ("exports/training/{ds}", "exports/training/", True),
    ("exports/training/{ds}", "exports/training/.{ds}.*", False),
    ("exports/training/.{ds}.*", "exports/training/.{ds}.staging-1", True),
    ("_serving/", "_models/", False),
    ("silver.ratings", "silver/ratings", False),  # a table name and a folder never overlap
])
def test_names_overlap(a, b, overlap):
    assert bool(Names.of(a).overlap(Names.of(b))) is overlap
    assert bool(Names.of(b).overlap(Names.of(a))) is overlap


def test_exclusions():
    maintain = DAILY["maintain"].writes
    for read in DAILY["publish"].reads.include:
        assert not maintain.overlap(Names.of(read)), read
    assert maintain.overlap(Names.of("gold.training_set"))
    assert maintain.overlap(Names.of("features.*"))  # features.other would not be excluded
    assert not maintain.overlap(Names.of("_serving/"))
    assert maintain.covers("silver.movies") and not maintain.covers("silver.ratings")
    assert not maintain.covers("bronze.events") and not maintain.covers("features.item_features")
    with pytest.raises(ValueError):
        Names.of("silver")
    with pytest.raises(ValueError):
        Names.of("gold.*_*")
