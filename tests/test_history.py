"""The history store: new / open / fixed, one transaction per run, locks, schema migrations."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from fake_audit import fake_audit

from conftest import REPO
from stackwise_analysis.audits.findings import make_findings
from stackwise_analysis.exceptions import HistoryError
from stackwise_analysis.review import history

CORPUS = "/srv/stackwise/articles"
#: A blocker the second run finds that the first did not.
NEW_CLAIM = {"article_id": "a1", "audit": "compliance", "check": "compliance.absolute_claim",
             "severity": "blocker", "section": "benefits", "line": 9,
             "message": "The sentence makes an absolute or cure claim (\"cures\").",
             "evidence": "This tea cures insomnia in one night."}


@pytest.fixture
def fake():
    return fake_audit()[1]


def _record(path, findings, scorecard, run_id, *, corpus=CORPUS, exit_code=1, **kwargs):
    since = history.compare(path, corpus, findings, **kwargs)
    facts = {"run_id": run_id, "started": dt.datetime.now(dt.UTC), "corpus": corpus,
             "finished": dt.datetime.now(dt.UTC), "exit_code": exit_code, "fail_on": "blocker"}
    record = history.build_record(facts, findings.assign(status=since.status), scorecard,
                                  since)
    history.record(path, record, **kwargs)
    return since


def _count(path, table: str, where: str = "") -> int:
    with history.connect(path, read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table} {where}").fetchall()[0][0]


def _second_findings(fake) -> pd.DataFrame:
    """The first run's findings with the a3 finding fixed and a new claim added."""
    kept = fake.findings[fake.findings["article_id"] != "a3"]
    return make_findings([kept, pd.DataFrame([NEW_CLAIM])])


# ------------------------------------------------------------------------------ new / fixed
def test_a_first_run_finds_everything_new(tmp_path, fake):
    since = _record(tmp_path / "h.duckdb", fake.findings, fake.scorecard, "r1")
    assert since.previous_run_id is None and since.counts() is None
    assert (since.status == "new").all() and since.fixed.empty
    runs = history.runs(tmp_path / "h.duckdb")
    assert runs[["run_id", "new", "open", "fixed"]].values.tolist() == [
        ["r1", len(fake.findings), 0, 0]]


def test_the_second_run_marks_new_open_and_fixed(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    second = _second_findings(fake)
    since = _record(path, second, fake.scorecard, "r2")
    assert since.counts() == {"run_id": "r1", "new": 1, "open": len(second) - 1, "fixed": 1}
    status = dict(zip(second["check"], since.status, strict=True))
    assert status["compliance.absolute_claim"] == "new"
    assert status["risk.missing_label"] == "open"
    fixed = since.fixed
    assert fixed["check"].tolist() == ["completeness.short_section"]
    assert fixed["article_id"].tolist() == ["a3"] and fixed["first_run_id"].tolist() == ["r1"]
    assert fixed["finding_id"].tolist() == fake.findings.loc[
        fake.findings["article_id"] == "a3", "finding_id"].tolist()
    runs = history.runs(path).set_index("run_id")
    assert runs.loc["r2", ["new", "fixed", "blockers"]].tolist() == [1, 1, 2]
    assert runs.loc["r2", "previous_run_id"] == "r1"
    # a finding seen in both runs is stored once, its occurrences twice
    assert _count(path, "findings") == len(fake.findings) + 1
    assert _count(path, "occurrences") == len(fake.findings) + len(second)


def test_the_previous_run_is_the_last_successful_one_on_the_same_corpus(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1", exit_code=0)
    _record(path, fake.findings.iloc[:2], fake.scorecard, "r2", exit_code=3)  # a notebook failed
    _record(path, fake.findings.iloc[:1], fake.scorecard, "r3", corpus="/other/corpus")
    since = history.compare(path, CORPUS, fake.findings)
    assert since.previous_run_id == "r1"
    assert (since.status == "open").all()


def test_run_counts_are_by_audit_and_severity_with_the_new_ones(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    _record(path, _second_findings(fake), fake.scorecard, "r2")
    with history.connect(path, read_only=True) as con:
        counts = con.execute("SELECT audit, severity, findings, new FROM run_counts "
                             "WHERE run_id = 'r2' ORDER BY audit, severity").fetchall()
    assert ("compliance", "blocker", 1, 1) in counts
    assert ("risk", "blocker", 1, 0) in counts
    assert sum(row[2] for row in counts) == len(_second_findings(fake))


# ------------------------------------------------------------------------------ never half a run
def test_a_failed_append_leaves_no_half_run(tmp_path, fake, monkeypatch):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    real = history._insert

    def fail_at_scores(con, name, run_id):
        if name == "scores":
            raise KeyboardInterrupt  # Ctrl-C halfway through the inserts
        real(con, name, run_id)

    monkeypatch.setattr(history, "_insert", fail_at_scores)
    with pytest.raises(KeyboardInterrupt):
        _record(path, _second_findings(fake), fake.scorecard, "r2")
    assert history.runs(path)["run_id"].tolist() == ["r1"]
    assert _count(path, "occurrences") == len(fake.findings)
    assert _count(path, "findings") == len(fake.findings)
    assert _count(path, "run_counts", "WHERE run_id = 'r2'") == 0


KILLED_HALFWAY = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from fake_audit import fake_audit
from stackwise_analysis.review import history
import test_history as t

real = history._insert
def die_at_scores(con, name, run_id):
    if name == "scores":
        os.kill(os.getpid(), signal.SIGKILL)  # no rollback, no clean-up: the power goes
    real(con, name, run_id)
history._insert = die_at_scores
fake = fake_audit()[1]
t._record({path!r}, t._second_findings(fake), fake.scorecard, "r2")
"""


def test_a_process_killed_halfway_leaves_a_readable_store_without_the_run(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    script = KILLED_HALFWAY.format(tests=str(REPO / "tests"), path=str(path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -9, done.stderr
    assert history.runs(path)["run_id"].tolist() == ["r1"]
    assert _count(path, "occurrences") == len(fake.findings)
    since = _record(path, _second_findings(fake), fake.scorecard, "r2")  # and it still works
    assert since.previous_run_id == "r1"
    assert history.runs(path)["run_id"].tolist() == ["r1", "r2"]


# ------------------------------------------------------------------------------ concurrency
WRITER = """
import sys, time
sys.path.insert(0, {tests!r})
from fake_audit import fake_audit
import test_history as t

fake = fake_audit()[1]
while time.time() < {start}:
    time.sleep(0.005)
t._record({path!r}, fake.findings, fake.scorecard, sys.argv[1])
"""


def test_runs_writing_at_once_are_all_recorded(tmp_path):
    """Also when they start before the store exists: one of them creates it, the others
    never see it half-created."""
    path = tmp_path / "h.duckdb"
    script = WRITER.format(tests=str(REPO / "tests"), path=str(path), start=time.time() + 4)
    names = ["run-a", "run-b", "run-c"]
    writers = [subprocess.Popen([sys.executable, "-c", script, run_id], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for run_id in names]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0] * len(names), outputs
    assert sorted(history.runs(path)["run_id"]) == names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.duckdb"]


def test_creating_a_store_that_appeared_meanwhile_keeps_it(tmp_path):
    path = tmp_path / "h.duckdb"
    fake = fake_audit()[1]
    _record(path, fake.findings, fake.scorecard, "r1")
    history._create(path)  # a second run that found no file a moment ago
    assert history.runs(path)["run_id"].tolist() == ["r1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.duckdb"]


HOLDER = """
import sys, time
from stackwise_analysis.review import history
with history.connect({path!r}) as con:
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(path=str(path)),
                               str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_locked_store_is_waited_for(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    holder = _hold(path, 1.5)
    told = []
    started = time.monotonic()
    _record(path, fake.findings, fake.scorecard, "r1", timeout=60, on_wait=told.append)
    assert time.monotonic() - started > 0.5
    assert holder.wait(timeout=30) == 0
    assert len(told) == 1 and "waiting for the history store" in told[0]
    assert history.runs(path)["run_id"].tolist() == ["r1"]


def test_a_lock_held_too_long_is_a_clear_error(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    holder = _hold(path, 20)
    try:
        with pytest.raises(HistoryError, match=r"still in use by another process after "
                                               r"waiting 1 s.*--history"):
            _record(path, fake.findings, fake.scorecard, "r1", timeout=1)
    finally:
        holder.kill()
        holder.wait()
    assert history.runs(path).empty  # the store is fine, and holds no trace of the attempt


# ------------------------------------------------------------------------------ schema
def _newer_package(monkeypatch, migration):
    """Pretend this package writes schema 2, reached from 1 by ``migration``."""
    monkeypatch.setattr(history, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(history, "MIGRATIONS", {1: migration})


def test_a_newer_package_migrates_an_older_file(tmp_path, fake, monkeypatch):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")  # written as schema 1

    def add_reviewer(con):
        con.execute("ALTER TABLE occurrences ADD COLUMN reviewer VARCHAR")
        con.execute("UPDATE occurrences SET reviewer = 'nobody yet'")

    _newer_package(monkeypatch, add_reviewer)
    since = _record(path, _second_findings(fake), fake.scorecard, "r2")
    assert since.previous_run_id == "r1"  # compared (read-only) after migrating
    with history.connect(path, read_only=True) as con:
        versions = [row[0] for row in con.execute(
            "SELECT version FROM schema_info ORDER BY version").fetchall()]
        reviewers = dict(con.execute("SELECT run_id, count(reviewer) FROM occurrences "
                                     "GROUP BY run_id").fetchall())
    assert versions == [1, 2]
    assert reviewers == {"r1": len(fake.findings), "r2": 0}  # old rows kept and migrated


def test_an_old_file_written_by_hand_is_migrated(tmp_path, monkeypatch):
    """A file as a schema-1 package left it, built here without the package's DDL."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_info (version INTEGER, written_by VARCHAR, "
                "written_at TIMESTAMPTZ)")
    con.execute("INSERT INTO schema_info VALUES (1, '0.0.9', now())")
    for name, columns in history._TABLES.items():
        if name != "schema_info":
            con.execute(f"CREATE TABLE {name} ({columns})")
    con.execute("INSERT INTO runs (run_id, started, corpus, exit_code) "
                "VALUES ('old-run', now(), ?, 0)", [CORPUS])
    con.close()
    _newer_package(monkeypatch, lambda c: c.execute("ALTER TABLE runs ADD COLUMN host VARCHAR"))
    assert history.runs(path)["run_id"].tolist() == ["old-run"]
    with history.connect(path, read_only=True) as con:
        columns = [row[0] for row in con.execute("DESCRIBE runs").fetchall()]
        assert con.execute("SELECT count(*) FROM run_findings").fetchall() == [(0,)]
    assert "host" in columns


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, fake, monkeypatch):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")

    def broken(con):
        con.execute("ALTER TABLE runs ADD COLUMN host VARCHAR")
        raise RuntimeError("disk on fire")

    _newer_package(monkeypatch, broken)
    with pytest.raises(HistoryError, match="from schema 1 to 2 failed, the file is unchanged"):
        history.runs(path)
    monkeypatch.undo()
    with history.connect(path, read_only=True) as con:
        columns = [row[0] for row in con.execute("DESCRIBE runs").fetchall()]
    assert "host" not in columns
    assert history.runs(path)["run_id"].tolist() == ["r1"]


def test_a_file_from_a_newer_package_is_refused(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_info VALUES (7, '9.0', now())")
    con.close()
    for action in (lambda: history.runs(path),
                   lambda: _record(path, fake.findings, fake.scorecard, "r2")):
        with pytest.raises(HistoryError, match="newer stackwise-analysis.*schema 7"):
            action()


def test_files_that_are_not_history_stores_are_refused(tmp_path, fake):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE sales (id INTEGER)")
    con.close()
    with pytest.raises(HistoryError, match="not a history store.*sales"):
        _record(other, fake.findings, fake.scorecard, "r1")
    text = tmp_path / "notes.duckdb"
    text.write_text("minutes of the editorial meeting\n")
    with pytest.raises(HistoryError, match="notes.duckdb"):
        _record(text, fake.findings, fake.scorecard, "r1")
    with pytest.raises(HistoryError, match="no history store here"):
        history.runs(tmp_path / "missing.duckdb")


# ------------------------------------------------------------------------------ reading
def test_the_store_opens_with_pandas_and_the_duckdb_command_line(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.sql('SELECT "check", count(*) AS n FROM run_findings GROUP BY ALL').df()
    assert frame["n"].sum() == len(fake.findings)
    cli = shutil.which("duckdb") or shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("the duckdb command line is not installed (pip install duckdb-cli)")
    out = subprocess.run([cli, "-readonly", "-csv", str(path), "-c",
                          "SELECT run_id, blockers FROM runs"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["run_id,blockers", "r1,1"]


def test_trends_include_the_run_in_progress_and_keep_to_one_corpus(tmp_path, fake):
    path = tmp_path / "h.duckdb"
    _record(path, fake.findings, fake.scorecard, "r1")
    _record(path, fake.findings, fake.scorecard, "elsewhere", corpus="/other")
    second = _second_findings(fake)
    since = history.compare(path, CORPUS, second)
    pending = history.build_record({"run_id": "r2", "started": dt.datetime.now(dt.UTC),
                                    "corpus": CORPUS}, second.assign(status=since.status),
                                   fake.scorecard, since)
    with history.open_trends(path, pending, corpus=CORPUS) as con:
        runs = con.sql(history.QUERIES["runs"]).df()
        article = con.execute(history.QUERIES["article"], ["a1"]).df()
        busiest = history.most_flagged_article(con)
    assert runs["run_id"].tolist() == ["r1", "r2"]
    assert runs["exit_code"].isna().tolist() == [False, True]  # r2 has not finished
    assert runs["fixed"].tolist() == [0, 1]
    assert article[["run_id", "status"]].values.tolist() == [["r2", "new"]]
    assert busiest == "a2"
    assert history.runs(path)["run_id"].tolist() == ["r1", "elsewhere"]  # nothing written


def test_without_a_store_trends_show_the_pending_run_alone(fake):
    since = history.all_new(fake.findings)
    pending = history.build_record({"run_id": "r1", "started": dt.datetime.now(dt.UTC),
                                    "corpus": CORPUS}, fake.findings.assign(status=since.status),
                                   fake.scorecard, since)
    with history.open_trends(None, pending) as con:
        runs = con.sql(history.QUERIES["runs"]).df()
    assert runs["run_id"].tolist() == ["r1"]
    assert history.describe_runs(runs).startswith("Only one run so far")
    with history.open_trends(None) as con:
        assert con.sql(history.QUERIES["runs"]).df().empty


def test_describe_runs_counts_the_runs():
    runs = pd.DataFrame({"started": pd.to_datetime(["2026-11-01 02:00", "2026-11-02 02:00"],
                                                   utc=True)})
    assert history.describe_runs(runs) == "2 runs from 2026-11-01 02:00 to 2026-11-02 02:00 UTC."
    assert "No run recorded yet" in history.describe_runs(runs.iloc[0:0])


def test_holder_text_names_the_pid():
    error = textwrap.dedent("""IO Error: Could not set lock on file "x": Conflicting lock is
        held in /usr/bin/python3 (PID 4242). See also""")
    assert history._holder(Exception(error)) == "PID 4242"
