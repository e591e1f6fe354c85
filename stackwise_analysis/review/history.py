"""The run history: an embedded DuckDB file that keeps every report run, so the next run knows
which findings are new, which are still open and which got fixed.

One file (``history.duckdb`` in the report folder by default) holds the tables below; the
schema is versioned in ``schema_info`` and a newer package migrates an older file when it
opens it for writing. A run is appended in one transaction from Arrow tables, so a run that
fails or is killed leaves nothing behind. DuckDB lets one process write a file at a time:
a second run waits for the lock (``LOCK_TIMEOUT``) and then stops with a clear message.

Tables (docs/history.md has the columns and example queries):

``runs``
    one row per recorded run: when, which corpus and style guide, exit code, counts.
``run_counts``
    findings per run, audit and severity, and how many of them were new.
``findings``
    one row per finding identity ever seen (``finding_id``: article, check, section,
    evidence), with the run that first saw it.
``occurrences``
    which findings each run found: severity, message, line and status (new / open).
``scores``
    one row per article per run: its verdict, counts by severity and reading grade.
``run_findings`` (view)
    occurrences joined with their findings: the findings table of every run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import HistoryError

#: The schema this package writes; ``MIGRATIONS`` lifts older files to it.
SCHEMA_VERSION = 1
DEFAULT_FILE = "history.duckdb"
#: DuckDB's on-disk format to write: readable by DuckDB 1.2 and newer (the ``duckdb`` command
#: line and any Python duckdb a reader has), not only by the version that wrote it.
STORAGE_VERSION = "v1.2.0"
#: Seconds a run waits for another process to let go of the file.
LOCK_TIMEOUT = 120.0
#: A finding's status in a report run (``waived`` is set by reviewers' decisions).
STATUS_DTYPE = pd.CategoricalDtype(["new", "open", "waived"])
#: Exit codes of a run whose findings the next run compares against: the audit and every
#: notebook finished (3, a failed notebook, does not count; an interrupted run is not kept).
SUCCESSFUL_EXIT_CODES = (0, 1)

_TABLES = {
    "schema_info": """version INTEGER NOT NULL, written_by VARCHAR NOT NULL,
        written_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp""",
    "runs": """run_id VARCHAR PRIMARY KEY, started TIMESTAMPTZ NOT NULL,
        finished TIMESTAMPTZ, corpus VARCHAR NOT NULL, corpus_fingerprint VARCHAR,
        styleguide_sha256 VARCHAR, package_version VARCHAR, fail_on VARCHAR,
        new_only BOOLEAN, exit_code INTEGER, run_dir VARCHAR, articles INTEGER,
        files_not_read INTEGER, articles_passing INTEGER, median_grade DOUBLE,
        findings INTEGER, blockers INTEGER, warnings INTEGER, infos INTEGER,
        previous_run_id VARCHAR, new INTEGER, open INTEGER, fixed INTEGER""",
    "run_counts": """run_id VARCHAR NOT NULL, audit VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, findings INTEGER NOT NULL, new INTEGER NOT NULL""",
    "findings": """finding_id VARCHAR NOT NULL, article_id VARCHAR, audit VARCHAR,
        "check" VARCHAR, section VARCHAR, evidence VARCHAR, first_run_id VARCHAR NOT NULL""",
    "occurrences": """run_id VARCHAR NOT NULL, finding_id VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, message VARCHAR, line INTEGER, status VARCHAR NOT NULL""",
    "scores": """run_id VARCHAR NOT NULL, article_id VARCHAR NOT NULL, status VARCHAR,
        risk_level VARCHAR, word_count INTEGER, grade DOUBLE, blocker INTEGER,
        warning INTEGER, info INTEGER""",
}
_VIEWS = {
    "run_findings": """SELECT o.run_id, f.finding_id, f.article_id, f.audit, f."check",
        o.severity, f.section, o.message, f.evidence, o.line, o.status, f.first_run_id
        FROM occurrences o JOIN findings f USING (finding_id)""",
}
#: Schema version n -> a function that lifts a connection's tables from n to n + 1 (run in
#: the migration's transaction).
MIGRATIONS: dict[int, Callable] = {}


# ------------------------------------------------------------------------------ opening
@contextmanager
def connect(path: str | Path, *, read_only: bool = False, timeout: float = LOCK_TIMEOUT,
            on_wait: Callable[[str], None] | None = None) -> Iterator:
    """An open DuckDB connection to the history store at ``path``, closed afterwards.

    For writing, the file is created with the current schema or migrated to it. While
    another process holds the file, this waits up to ``timeout`` seconds (telling
    ``on_wait`` once), then raises.

    Raises
    ------
    HistoryError
        The file is locked for longer than ``timeout``, is not a history store, was written
        by a newer package, or (read-only) does not exist.

    Examples
    --------
    >>> with connect("reports/history.duckdb", read_only=True) as con:  # doctest: +SKIP
    ...     con.sql("SELECT run_id, blockers FROM runs ORDER BY started").df()
    """
    path = Path(path)
    if read_only and not path.is_file():
        raise HistoryError(f"{path}: no history store here (a report run creates it)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
    con = _open(path, read_only, timeout, on_wait)
    try:
        version = _stored_version(con, path)
        if read_only and version != SCHEMA_VERSION:
            con.close()
            if version is None or version > SCHEMA_VERSION:
                _refuse(path, version)
            with connect(path, timeout=timeout, on_wait=on_wait):  # migrates it
                pass
            con = _open(path, True, timeout, on_wait)
        elif not read_only:
            _prepare(con, path, version)
        yield con
    finally:
        con.close()


def _create(path: Path) -> None:
    """A new, empty store at ``path``, built under another name and linked into place, so
    that two runs starting at once never see a half-created file (DuckDB calls one "not a
    valid DuckDB database file"); the one that comes second uses the first one's."""
    import duckdb

    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            _prepare(con, tmp, None)
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def _open(path: Path, read_only: bool, timeout: float, on_wait):
    import duckdb

    deadline = time.monotonic() + timeout
    pause = 0.02
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only,
                                  config={"storage_compatibility_version": STORAGE_VERSION})
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise HistoryError(f"{path}: cannot open the history store: {exc}") from None
            if time.monotonic() >= deadline:
                raise HistoryError(
                    f"{path}: the history store is still in use by another process after "
                    f"waiting {timeout:.0f} s; run again when it has finished, or record "
                    f"this run elsewhere with --history ({_holder(exc)})") from None
            if on_wait is not None and not told:
                on_wait(f"waiting for the history store {path}, in use by another process")
                told = True
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.5)
        except duckdb.Error as exc:
            raise HistoryError(f"{path} is not a history store DuckDB can open: {exc}"
                               ) from None


def _holder(exc: Exception) -> str:
    text = str(exc)
    start = text.find("(PID")
    return text[start + 1:text.find(")", start)] if start >= 0 else "lock held"


def _stored_version(con, path: Path) -> int | None:
    names = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    if "schema_info" not in names:
        if names:
            raise HistoryError(f"{path} is a DuckDB file but not a history store (it has "
                               f"tables {', '.join(sorted(names))} and no schema_info)")
        return None
    return _scalar(con, "SELECT max(version) FROM schema_info")


def _refuse(path: Path, version: int | None) -> None:
    if version is None:
        raise HistoryError(f"{path}: the history store is empty (no run recorded yet)")
    raise HistoryError(f"{path} was written by a newer stackwise-analysis (history schema "
                       f"{version}; this version reads up to {SCHEMA_VERSION}): upgrade the "
                       "package, or record to another file with --history")


def _prepare(con, path: Path, version: int | None) -> None:
    """Create the schema in a new file, or migrate an older one, in one transaction."""
    from .. import __version__

    if version == SCHEMA_VERSION:
        return
    if version is not None and version > SCHEMA_VERSION:
        _refuse(path, version)
    con.begin()
    try:
        if version is None:
            for name, columns in _TABLES.items():
                con.execute(f"CREATE TABLE {name} ({columns})")
        else:
            for step in range(version, SCHEMA_VERSION):
                if step not in MIGRATIONS:
                    raise HistoryError(f"{path}: no migration from history schema {step} "
                                       f"to {step + 1}")
                MIGRATIONS[step](con)
        for name, query in _VIEWS.items():
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")
        con.execute("INSERT INTO schema_info (version, written_by) VALUES (?, ?)",
                    [SCHEMA_VERSION, __version__])
        con.commit()
    except BaseException as exc:
        con.rollback()
        if isinstance(exc, HistoryError | KeyboardInterrupt | SystemExit):
            raise
        doing = ("creating the history store" if version is None else
                 f"migrating the history store from schema {version} to {SCHEMA_VERSION}")
        raise HistoryError(f"{path}: {doing} failed, the file is unchanged: {exc}") from exc


def _scalar(con, query: str, params: list | None = None):
    """The first value of a query's result, or None (every row fetched: DuckDB 2 keeps a
    connection busy until a result is exhausted)."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def _arrow(con, query: str, params: list | None = None) -> pa.Table:
    relation = con.sql(query, params=params)
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch()


# ------------------------------------------------------------------------------ since
@dataclass
class Since:
    """What changed since the previous successful run on the same corpus.

    Attributes
    ----------
    previous_run_id : str or None
        None on a first run (or without a history store): every finding is new.
    status : Series
        ``new`` or ``open`` per finding, aligned with the findings compared.
    fixed : DataFrame
        The previous run's findings that are gone now (findings columns, their line and
        severity as they were).
    """

    previous_run_id: str | None
    status: pd.Series
    fixed: pd.DataFrame

    def counts(self) -> dict | None:
        """``{"run_id", "new", "open", "fixed"}`` for summary.json; None on a first run."""
        if self.previous_run_id is None:
            return None
        new = int((self.status == "new").sum())
        return {"run_id": self.previous_run_id, "new": new,
                "open": int((self.status == "open").sum()),  # waived ones are neither
                "fixed": len(self.fixed)}


def all_new(findings: pd.DataFrame) -> Since:
    """A first run: every finding new, nothing fixed."""
    from ..audits.findings import empty_findings

    return Since(None, pd.Series("new", index=findings.index, dtype=STATUS_DTYPE),
                 empty_findings())


FIXED_QUERY = """
SELECT f.article_id, f.audit, f."check", o.severity, f.section, o.message, f.evidence,
       o.line, f.finding_id, f.first_run_id
FROM occurrences o JOIN findings f USING (finding_id)
WHERE o.run_id = ? AND o.finding_id NOT IN (SELECT finding_id FROM current_ids)
ORDER BY f.article_id, o.line, f."check"
"""


def previous_run(con, corpus: str) -> str | None:
    """The newest run on ``corpus`` that finished with exit code 0 or 1, or None."""
    return _scalar(con, "SELECT run_id FROM runs WHERE corpus = ? AND exit_code IN "
                   f"({', '.join(map(str, SUCCESSFUL_EXIT_CODES))}) "
                   "ORDER BY finished DESC, run_id DESC LIMIT 1", [str(corpus)])


def compare(path: str | Path | None, corpus: str | Path, findings: pd.DataFrame, *,
            timeout: float = LOCK_TIMEOUT, on_wait=None) -> Since:
    """Each finding's status against the previous successful run on the same corpus, and
    that run's findings that are fixed now.

    Parameters
    ----------
    path : path or None
        The history store; None or a file not there yet means a first run.
    corpus : path
        The corpus as recorded in ``runs.corpus`` (its resolved path).
    findings : DataFrame
        This run's findings, with ``finding_id``.

    Examples
    --------
    >>> since = compare("reports/history.duckdb", Path("data/articles").resolve(),
    ...                 result.findings)  # doctest: +SKIP
    >>> since.counts()  # doctest: +SKIP
    {'run_id': '20261124T101500Z-3fa2c1', 'new': 1, 'open': 422, 'fixed': 1}
    """
    from ..audits.findings import FINDINGS_COLUMNS

    if path is None or not Path(path).is_file():
        return all_new(findings)
    with connect(path, read_only=True, timeout=timeout, on_wait=on_wait) as con:
        previous = previous_run(con, str(corpus))
        if previous is None:
            return all_new(findings)
        ids = pa.array(findings["finding_id"].to_numpy(dtype=object, na_value=None),
                       type=pa.string())
        seen = _arrow(con, "SELECT finding_id FROM occurrences WHERE run_id = ?", [previous])
        was_open = pc.is_in(ids, value_set=seen.column(0).combine_chunks().cast(pa.string()))
        status = np.where(was_open.to_numpy(zero_copy_only=False), "open", "new")
        con.register("current_ids", pa.table({"finding_id": ids}))
        fixed = con.execute(FIXED_QUERY, [previous]).df()
    columns = {c: t for c, t in FINDINGS_COLUMNS.items() if c in fixed.columns}
    fixed = fixed.astype(columns).astype({"first_run_id": "string"})
    return Since(previous, pd.Series(status, index=findings.index).astype(STATUS_DTYPE), fixed)


# ------------------------------------------------------------------------------ record
@dataclass
class RunRecord:
    """One run as the history store keeps it.

    Attributes
    ----------
    run : dict
        The ``runs`` row (column -> value); counts are filled in by ``build_record``.
    findings : DataFrame
        The run's findings with ``finding_id`` and ``status``.
    scorecard : DataFrame
        One row per article (``audits.scorecard``).
    """

    run: dict
    findings: pd.DataFrame
    scorecard: pd.DataFrame


RUN_FACTS = ("run_id", "started", "finished", "corpus", "corpus_fingerprint",
             "styleguide_sha256", "package_version", "fail_on", "new_only", "exit_code",
             "run_dir", "files_not_read")


def build_record(facts: dict, findings: pd.DataFrame, scorecard: pd.DataFrame,
                 since: Since) -> RunRecord:
    """The run's ``runs`` row with its counts, beside its findings and scores.

    ``facts`` gives the columns in ``RUN_FACTS`` (missing ones are NULL); ``findings``
    must carry ``status`` (``since.status``).

    Examples
    --------
    >>> record = build_record({"run_id": "r1", "started": now, "corpus": "/data/articles"},
    ...                       findings, audit.scorecard, since)  # doctest: +SKIP
    """
    severity = findings["severity"].astype("string")
    counts = severity.value_counts()
    grade = (pd.to_numeric(scorecard["grade"], errors="coerce").median()
             if "grade" in scorecard.columns and len(scorecard) else None)
    since_counts = since.counts() or {"new": len(findings), "open": 0, "fixed": 0}
    run = {name: facts.get(name) for name in RUN_FACTS}
    run.update({
        "articles": len(scorecard),
        "articles_passing": int((scorecard["status"].astype("string") == "pass").sum())
        if "status" in scorecard.columns else None,
        "median_grade": None if grade is None or pd.isna(grade) else round(float(grade), 3),
        "findings": len(findings), "blockers": int(counts.get("blocker", 0)),
        "warnings": int(counts.get("warning", 0)), "infos": int(counts.get("info", 0)),
        "previous_run_id": since.previous_run_id, "new": since_counts["new"],
        "open": since_counts["open"], "fixed": since_counts["fixed"]})
    return RunRecord(run=run, findings=findings, scorecard=scorecard)


def _findings_arrow(findings: pd.DataFrame) -> pa.Table:
    columns = ["finding_id", "article_id", "audit", "check", "severity", "section", "message",
               "evidence", "line", "status"]
    frame = findings[columns].astype({"severity": "string", "status": "string"})
    return pa.Table.from_pandas(frame, preserve_index=False)


def _scores_arrow(scorecard: pd.DataFrame) -> pa.Table:
    columns = ["article_id", "status", "risk_level", "word_count", "grade", "blocker",
               "warning", "info"]
    frame = pd.DataFrame({c: (scorecard[c].astype("string")
                              if c in ("status", "risk_level") else scorecard[c])
                          for c in columns if c in scorecard.columns})
    return pa.Table.from_pandas(frame, preserve_index=False)


#: What ``record`` runs, in order, inside one transaction (``?`` is the run id).
INSERTS = {
    "runs": "INSERT INTO runs BY NAME SELECT * FROM source_run",
    "findings": """INSERT INTO findings BY NAME
        SELECT DISTINCT ON (finding_id) finding_id, article_id, audit, "check", section,
               evidence, ? AS first_run_id
        FROM source_findings p
        WHERE p.status <> 'open'  -- an open finding was in the previous run, so is stored
          AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.finding_id = p.finding_id)""",
    "occurrences": """INSERT INTO occurrences BY NAME
        SELECT ? AS run_id, finding_id, severity, message, line, status
        FROM source_findings""",
    "run_counts": """INSERT INTO run_counts BY NAME
        SELECT ? AS run_id, audit, severity, count(*) AS findings,
               count(*) FILTER (WHERE status = 'new') AS new
        FROM source_findings GROUP BY audit, severity""",
    "scores": "INSERT INTO scores BY NAME SELECT ? AS run_id, * FROM source_scores",
}


def _insert(con, name: str, run_id: str) -> None:
    query = INSERTS[name]
    con.execute(query, [run_id] * query.count("?"))


def record(path: str | Path, record: RunRecord, *, timeout: float = LOCK_TIMEOUT,
           on_wait=None) -> None:
    """Append ``record`` to the history store at ``path`` in one transaction.

    Everything goes in or nothing does: an error or an interrupt rolls the transaction
    back, and a process killed before the commit leaves the file as it was.

    Examples
    --------
    >>> record("reports/history.duckdb", build_record(facts, findings, card, since))
    ... # doctest: +SKIP
    """
    run_id = record.run["run_id"]
    source_run = pa.Table.from_pylist([record.run])
    with connect(path, timeout=timeout, on_wait=on_wait) as con:
        con.register("source_run", source_run)
        con.register("source_findings", _findings_arrow(record.findings))
        con.register("source_scores", _scores_arrow(record.scorecard))
        con.begin()
        try:
            for name in INSERTS:
                _insert(con, name, run_id)
            con.commit()
        except BaseException:
            con.rollback()
            raise


# ------------------------------------------------------------------------------ reading
#: Named queries over the store (or over ``open_trends``): the notebooks and the
#: ``history`` command use them; docs/history.md shows more.
QUERIES = {
    "runs": """
        SELECT run_id, started, finished, exit_code, articles, articles_passing,
               round(articles_passing / nullif(articles, 0), 4) AS pass_share, median_grade,
               findings, blockers, warnings, infos, new, open, fixed, previous_run_id,
               run_dir, corpus
        FROM runs ORDER BY started, run_id""",
    "by_audit": """
        SELECT r.run_id, r.started, c.audit, c.severity, c.findings, c.new
        FROM run_counts c JOIN runs r USING (run_id)
        ORDER BY r.started, r.run_id, c.audit, c.severity""",
    "article": """
        SELECT r.run_id, r.started, f."check", f.severity, f.section, f.line, f.status,
               f.message, f.evidence, f.finding_id
        FROM run_findings f JOIN runs r USING (run_id)
        WHERE f.article_id = ?
        ORDER BY r.started, r.run_id, f.line, f."check" """,
}


def runs(path: str | Path, *, timeout: float = LOCK_TIMEOUT) -> pd.DataFrame:
    """Every recorded run, oldest first (``QUERIES["runs"]``).

    Examples
    --------
    >>> runs("reports/history.duckdb")[["run_id", "blockers", "new", "fixed"]]
    ... # doctest: +SKIP
    """
    with connect(path, read_only=True, timeout=timeout) as con:
        return con.execute(QUERIES["runs"]).df()


@contextmanager
def open_trends(path: str | Path | None, pending: RunRecord | None = None, *,
                corpus: str | Path | None = None, timeout: float = LOCK_TIMEOUT) -> Iterator:
    """A read-only, in-memory DuckDB connection whose tables are the store's runs plus
    ``pending`` (the run in progress, whose notebooks are looking at it), under the store's
    table names: ``runs``, ``run_counts``, ``findings``, ``occurrences``, ``scores``,
    ``run_findings``.

    ``path`` may be None or not exist yet (a first run): then only ``pending`` is there.
    ``corpus`` keeps only the runs on that corpus (as recorded: its resolved path) in
    ``runs``; the other tables keep every run, so join them with ``runs``.

    Examples
    --------
    >>> with open_trends("reports/history.duckdb") as con:  # doctest: +SKIP
    ...     con.sql("SELECT run_id, blockers FROM runs").df()
    """
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        if path is not None and Path(path).is_file():
            with connect(path, read_only=True, timeout=timeout):  # waits, checks, migrates
                pass
            con.execute(f"ATTACH '{_quoted(path)}' AS store (READ_ONLY)")
        else:
            con.execute("ATTACH ':memory:' AS store")
            for name, columns in _TABLES.items():
                con.execute(f"CREATE TABLE store.{name} ({columns})")
        _pending_tables(con, pending)
        for name in ("runs", "run_counts", "findings", "occurrences", "scores"):
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM store.{name} "
                        f"UNION ALL BY NAME SELECT * FROM pending_{name}")
        if corpus is not None:
            con.execute("ALTER VIEW runs RENAME TO every_run")
            con.execute(f"CREATE VIEW runs AS SELECT * FROM every_run "
                        f"WHERE corpus = '{str(corpus).replace(chr(39), chr(39) * 2)}'")
        con.execute(f"CREATE VIEW run_findings AS {_VIEWS['run_findings']}")
        yield con
    finally:
        con.close()


def _quoted(path: str | Path) -> str:
    return str(Path(path).resolve()).replace("'", "''")


def _pending_tables(con, pending: RunRecord | None) -> None:
    """``pending_<table>`` in memory: empty, or the rows ``record`` would append."""
    for name, columns in _TABLES.items():
        if name != "schema_info":
            con.execute(f"CREATE TEMP TABLE pending_{name} ({columns})")
    if pending is None:
        return
    run_id = pending.run["run_id"]
    con.register("source_run", pa.Table.from_pylist([pending.run]))
    con.register("source_findings", _findings_arrow(pending.findings))
    con.register("source_scores", _scores_arrow(pending.scorecard))
    for name, query in INSERTS.items():
        target = f"INSERT INTO temp.pending_{name} BY NAME"
        query = query.replace(f"INSERT INTO {name} BY NAME", target, 1)
        if name == "findings":  # new to the store: not in it, not seen before
            query = query.replace("FROM findings f", "FROM store.findings f")
        con.execute(query, [run_id] * query.count("?"))


# ------------------------------------------------------------------------------ notebooks
def store_of(snapshot) -> str | None:
    """The history store a report run's snapshot was compared with, or None.

    >>> store_of(load("reports/latest/snapshot"))  # doctest: +SKIP
    '/srv/reports/history.duckdb'
    """
    info = (getattr(snapshot, "meta", None) or {}).get("history") or {}
    return info.get("store")


def pending_record(snapshot) -> RunRecord | None:
    """The run a report is in the middle of, rebuilt from its snapshot (its notebooks run
    before it is recorded), or None for a snapshot that is not of a report run.

    >>> with open_trends(store_of(snap), pending_record(snap)) as con:  # doctest: +SKIP
    ...     con.sql("SELECT count(*) FROM runs").fetchall()
    """
    info = (getattr(snapshot, "meta", None) or {}).get("history") or {}
    if not info.get("run") or "status" not in snapshot.audit.findings.columns:
        return None
    findings = snapshot.audit.findings
    run = dict(info["run"])
    for name in ("started", "finished"):
        if run.get(name):
            run[name] = pd.Timestamp(run[name]).to_pydatetime()
    return RunRecord(run=run, findings=findings, scorecard=snapshot.audit.scorecard)


def most_flagged_article(con) -> str | None:
    """The article with the most findings in the newest run (the trends notebook's default
    article), or None when no run has any."""
    return _scalar(con, """
        SELECT f.article_id FROM run_findings f
        WHERE f.run_id = (SELECT run_id FROM runs ORDER BY started DESC, run_id DESC LIMIT 1)
          AND f.article_id IS NOT NULL
        GROUP BY f.article_id ORDER BY count(*) DESC, f.article_id LIMIT 1""")


def describe_runs(runs: pd.DataFrame, store: str | Path | None = None) -> str:
    """One plain sentence on how much history there is (Markdown), e.g. for a notebook.

    >>> describe_runs(pd.DataFrame({"started": []}), "reports/history.duckdb")
    'No run recorded yet in `reports/history.duckdb`: trends start with the first report run.'
    """
    where = f" in `{store}`" if store is not None else ""
    if runs.empty:
        return f"No run recorded yet{where}: trends start with the first report run."
    first, last = (pd.Timestamp(runs["started"].iloc[i]).strftime("%Y-%m-%d %H:%M")
                   for i in (0, -1))
    if len(runs) == 1:
        return (f"Only one run so far ({first} UTC){where}: the charts below show that one "
                "run; trends, and new against fixed, need a second run.")
    return f"{len(runs)} runs from {first} to {last} UTC{where}."
