"""What each task of the daily DAG reads and writes in the lake: the one definition the DAG's shape is checked against.

Two tasks that neither depends on the other (directly or through others) may run at the same time, so they must not
write the same thing, nor may one write what the other reads. ``conflicts(dag)`` lists every such pair; the tests
(``tests/test_writes.py``) require none for ``millrace_daily``, and the end-to-end test checks that every file the real
run changed lies in what the task running at that moment declares it writes.

Names, taken from the jobs (``jobs/src/main/java/dev/millrace/jobs/``) and ``conf/application.conf``:

- a **Delta table** is ``layer.name`` (``silver.ratings``, the folder ``<lake>/<layer>/<name>``); ``*`` stands for any
  characters of one part (``bronze.*``: every table ingest makes, one per entity; ``features.*_features``: the offline
  store, ``millrace.features.layer`` = ``features``);
- a **folder** is a path under the lake root with a ``/`` (``_models/``, ``exports/training/{ds}``); it covers everything
  below it, ``{ds}`` is the run's logical date and ``*`` any characters of one path part.

A folder is never a table (tables are the folders holding a ``_delta_log``; none of the folders here holds one), so a
table name and a folder never overlap. The matching is exact for names with at most one ``*`` per part, except that a
set with exclusions (``maintain``'s) is taken to overlap a name its exclusions do not wholly cover: a false alarm is
possible there, a missed conflict is not.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# What publish reads (feature-store PublishSources): the latest gold.recommendations, the popularity list
# (gold.popular_items, or the most-rated items of silver.ratings when there is none) and every online feature table.
# The daily DAG maintains these apart from the rest, after publish, so that none is rewritten while publish reads it.
PUBLISH_READS = ("gold.recommendations", "gold.popular_items", "silver.ratings", "features.*_features")
# Every job also writes its run report, _runs/<command>/<UTC time>-<UUID>.json (core's RunReport, with the local file
# system's .crc beside it): a fresh name each run, so two jobs never write the same report; not declared per task.
RUN_REPORT = re.compile(r"_runs/[a-z-]+/\.?\d{8}T\d{6}Z-[0-9a-f-]{36}\.json(\.crc)?")
# bronze.events belongs to the streaming jobs; the millrace_streaming_ops DAG compacts and vacuums it every hour, so the
# daily maintain leaves it alone rather than run a second OPTIMIZE on it at the same time.
STREAMING_TABLES = ("bronze.events",)


def _check(name: str) -> None:
    if "/" in name:
        return
    parts = name.split(".")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"{name!r}: a table is layer.name, a folder has a '/'")
    if any(p.count("*") > 1 for p in parts):
        raise ValueError(f"{name!r}: at most one * per part")


def _parts(name: str) -> tuple[bool, list[str]]:
    """(is a folder, its parts)."""
    return ("/" in name, name.strip("/").split("/") if "/" in name else name.split("."))


def _part_overlap(a: str, b: str) -> bool:
    """Whether two parts with at most one * each can match the same string."""
    if "*" not in a or "*" not in b:
        return fnmatch.fnmatchcase(b, a) if "*" in a else fnmatch.fnmatchcase(a, b) if "*" in b else a == b
    ap, as_ = a.split("*")
    bp, bs = b.split("*")
    return (ap.startswith(bp) or bp.startswith(ap)) and (as_.endswith(bs) or bs.endswith(as_))


def _part_within(a: str, b: str) -> bool:
    """Whether every string part ``a`` matches is matched by ``b``."""
    if "*" not in b:
        return a == b
    bp, bs = b.split("*")
    if "*" not in a:
        return fnmatch.fnmatchcase(a, b)
    ap, as_ = a.split("*")
    return ap.startswith(bp) and as_.endswith(bs)


def _overlap(a: str, b: str) -> bool:
    fa, pa = _parts(a)
    fb, pb = _parts(b)
    if fa != fb:
        return False
    if not fa and len(pa) != len(pb):
        return False
    # Folders: one may lie below the other.
    return all(_part_overlap(x, y) for x, y in zip(pa, pb))


def _within(a: str, b: str) -> bool:
    """Whether everything ``a`` names lies in what ``b`` names (a folder covers its sub-folders)."""
    fa, pa = _parts(a)
    fb, pb = _parts(b)
    if fa != fb or len(pa) < len(pb) or (not fa and len(pa) != len(pb)):
        return False
    return all(_part_within(x, y) for x, y in zip(pa, pb))


@dataclass(frozen=True)
class Names:
    """A set of table names and folders, ``include`` minus ``exclude`` (tables only)."""

    include: frozenset[str]
    exclude: frozenset[str] = frozenset()

    @staticmethod
    def of(*names: str, exclude: Iterable[str] = ()) -> Names:
        for n in (*names, *exclude):
            _check(n)
        return Names(frozenset(names), frozenset(exclude))

    def overlap(self, other: Names) -> set[tuple[str, str]]:
        """Pairs (a name of self, a name of other) that may stand for the same table or folder."""
        out = set()
        for a in self.include:
            for b in other.include:
                if _overlap(a, b) and not any(_within(b, x) for x in self.exclude) \
                        and not any(_within(a, x) for x in other.exclude):
                    out.add((a, b))
        return out

    def covers(self, name: str) -> bool:
        """Whether a concrete table name or lake-relative path lies in this set."""
        return any(_within(name, n) for n in self.include) and not any(_within(name, x) for x in self.exclude)

    def __str__(self) -> str:
        s = ", ".join(sorted(self.include))
        return s + (f" except {', '.join(sorted(self.exclude))}" if self.exclude else "")


@dataclass(frozen=True)
class TaskIO:
    writes: Names
    reads: Names = field(default_factory=Names.of)


def _io(writes: Iterable[str], reads: Iterable[str] = (), exclude: Iterable[str] = ()) -> TaskIO:
    return TaskIO(Names.of(*writes, exclude=exclude), Names.of(*reads))


# Every task of millrace_daily. Writes are what the job may change, reads what it may read (its inputs; a job also
# reads what it writes, which the writes already stand for).
DAILY: Mapping[str, TaskIO] = {
    # IngestJob/EntityWriter: bronze.<entity>, silver.<entity>, quarantine.<entity>; IngestLedger: meta.ingested_files.
    # The landing folder it reads is outside the lake.
    "ingest": _io(["bronze.*", "silver.*", "quarantine.*", "meta.ingested_files"]),
    # FeaturesJob: features.<entity>_features from the sources under millrace.features.sources (silver tables).
    "features": _io(["features.*_features"], ["silver.*"]),
    # TrainingSetJob: millrace.training-set.table from its labels (silver.ratings) and the feature tables.
    "training_set": _io(["gold.training_set"], ["silver.ratings", "features.*_features"]),
    # TrainingExport/ExportFolder: <root>/<ds>, staged in .<ds>.staging-<uuid> and swapped in by rename
    # (the old folder goes aside as .<ds>.old-<uuid>); millrace.training.export.root defaults to exports/training.
    "export_training": _io(["exports/training/{ds}", "exports/training/.{ds}.*"], ["gold.training_set"]),
    # TrainJob: ALS factors and the id dictionaries (millrace.training.als.*), a candidate version in the registry
    # (millrace.models.root, default _models); it writes the date's export itself when it is missing.
    "train": _io(["gold.als_user_factors", "gold.als_item_factors", "meta.user_ids", "meta.item_ids", "_models/",
                  "exports/training/{ds}", "exports/training/.{ds}.*"],
                 ["silver.ratings", "gold.training_set", "features.*_features"]),
    # EvaluateCommand: the verdict into the version's metadata and, when promoted, the CURRENT pointer; its HTML
    # report _runs/evaluate/<ds>-<version>.html.
    "evaluate": _io(["_models/", "_runs/evaluate/{ds}-*", "_runs/evaluate/.{ds}-*"], ["gold.training_set", "silver.ratings", "features.*_features", "gold.als_*",
                                  "meta.user_ids", "meta.item_ids"]),
    # ScoreJob: gold.recommendations and gold.popular_items from the current model.
    "score": _io(["gold.recommendations", "gold.popular_items"],
                 ["_models/", "gold.als_*", "meta.user_ids", "meta.item_ids", "silver.ratings", "features.*_features"]),
    # PublishCommand: a new version of the embedded online store (millrace.serving.embedded.path, default
    # <lake>/_serving) and its atomic flip.
    "publish": _io(["_serving/"], PUBLISH_READS),
    # MaintainCommand (OPTIMIZE + VACUUM) on every lake table but publish's inputs and the streaming tables: it runs
    # beside publish.
    "maintain": _io(["*.*"], exclude=(*PUBLISH_READS, *STREAMING_TABLES)),
    # The same on publish's inputs, once publish has read them.
    "maintain_published": _io(PUBLISH_READS),
}


def maintain_args(io: TaskIO) -> list[str]:
    """The ``maintain`` options that select exactly the tables ``io`` declares it writes."""
    args = [] if io.writes.include == {"*.*"} else [f"--table={t}" for t in sorted(io.writes.include)] + ["--skip-missing"]
    return args + [f"--exclude={t}" for t in sorted(io.writes.exclude)]


def unordered_pairs(dag) -> list[tuple[str, str]]:
    """Task pairs of ``dag`` that no dependency orders: Airflow may run them at the same time."""
    ids = sorted(dag.task_ids)
    downstream = {t: dag.get_task(t).get_flat_relative_ids(upstream=False) for t in ids}
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if b not in downstream[a] and a not in downstream[b]]


def conflicts(dag, io: Mapping[str, TaskIO] = DAILY) -> list[str]:
    """Every way two tasks of ``dag`` that may run at once touch the same thing; a task missing from ``io`` counts.

    ``max_active_runs`` must be 1: tasks of two runs are never ordered, and every run writes the same tables.
    """
    found = [f"{t}: not declared in millrace_dags.writes" for t in sorted(dag.task_ids) if t not in io]
    if getattr(dag, "max_active_runs", None) != 1:
        found.append(f"{dag.dag_id}: max_active_runs is {dag.max_active_runs}, not 1: two runs would write the same lake")
    for a, b in unordered_pairs(dag):
        if a not in io or b not in io:
            continue
        checks = ((a, io[a].writes, b, io[b].writes, "also writes"), (a, io[a].writes, b, io[b].reads, "reads"),
                  (b, io[b].writes, a, io[a].reads, "reads"))
        for writer, writes, other, names, verb in checks:
            for n, m in sorted(writes.overlap(names)):
                found.append(f"{writer} writes {n} and {other} {verb} {m}, and nothing orders them")
    return found
