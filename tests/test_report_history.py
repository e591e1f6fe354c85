"""Report runs and the history store: new / open / fixed, --new-only, fixed.csv, the index,
the history command, and runs that fail or are interrupted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from corpus_factory import CLEAN_SECTIONS, render, spec
from report_fixtures import write_small_corpus

from stackwise_analysis import report
from stackwise_analysis.cli import main
from stackwise_analysis.exceptions import HistoryError
from stackwise_analysis.notebook_run import NotebookOutcome
from stackwise_analysis.review import history

LONG_PROTOCOL = (
    "Sessions last about twenty minutes, three times a week, at the same time of day if you "
    "can manage it. Start with five gentle stretches for each stiff joint and hold each one "
    "for about thirty seconds without bouncing. Breathe slowly while you hold the stretch, and "
    "ease off at once if you feel sharp pain rather than a mild pull. After two weeks, add a "
    "second round of the same stretches if your joints feel no worse the next morning.")
SAFETY_CLAIM = "It is 100% safe, with no side effects at all."
LONG_SENTENCE = (
    "Patients who stretched daily in the small Leeds pilot, most of them retired office "
    "workers with stiff knees and hips, said in follow-up interviews that the routine fitted "
    "easily around their other commitments and that they planned to keep going after the "
    "study ended.")


@pytest.fixture
def corpus_dir(tmp_path):
    return write_small_corpus(tmp_path / "articles")


@pytest.fixture
def fake_notebooks(monkeypatch):
    """Notebooks that "run" instantly; the loader, audit, history and exports are real."""
    failures: dict[str, str] = {}

    def run_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        outcomes = []
        for source in sources:
            (staging / "notebooks" / source.name).write_bytes(source.read_bytes())
            outcomes.append(NotebookOutcome(name=source.stem, title=source.stem,
                                            ipynb=f"notebooks/{source.name}",
                                            error=failures.get(source.stem)))
        return outcomes

    monkeypatch.setattr(report, "_run_notebooks", run_notebooks)
    return failures


def _edit(corpus_dir: Path, article_id: str, **changes) -> None:
    s = spec(article_id=article_id, **changes)
    (corpus_dir / f"{article_id}.txt").write_text(render(s), encoding="utf-8")


def _fix_one_add_a_blocker(corpus_dir: Path) -> None:
    """a3's one-word protocol is written out (its short-section finding is fixed); a1 gains
    an absolute safety claim (a new blocker)."""
    _edit(corpus_dir, "a3", sections={"protocol": LONG_PROTOCOL})
    _edit(corpus_dir, "a1", sections={"benefits": CLEAN_SECTIONS["benefits"] + " " + SAFETY_CLAIM})


def _summary(result) -> dict:
    return json.loads((result.run_dir / "summary.json").read_text())


OPTIONS = {"quiet": True, "jobs": 1, "as_of": "2026-11-24"}


# ------------------------------------------------------------------------------ the acceptance
def test_fix_one_add_one_gives_one_new_and_one_fixed(corpus_dir, tmp_path, fake_notebooks):
    out = tmp_path / "reports"
    first = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert _summary(first)["since_previous"] is None
    assert (out / "history.duckdb").is_file()
    _fix_one_add_a_blocker(corpus_dir)
    second = report.run(corpus_dir, out=out, fail_on="blocker", new_only=True, **OPTIONS)
    summary = _summary(second)
    assert summary["since_previous"]["run_id"] == first.run_id
    assert {k: summary["since_previous"][k] for k in ("new", "fixed")} == {"new": 1, "fixed": 1}
    assert second.exit_code == report.EXIT_FINDINGS  # the new finding is a blocker
    fixed = pd.read_csv(second.run_dir / "fixed.csv")
    assert fixed[["article_id", "check"]].values.tolist() == [
        ["a3", "completeness.short_section"]]
    findings = pd.read_csv(second.run_dir / "findings.csv")
    new = findings[findings["status"] == "new"]
    assert new[["article_id", "check", "severity"]].values.tolist() == [
        ["a1", "compliance.absolute_claim", "blocker"]]
    assert set(findings["status"]) == {"new", "open"}
    first_ids = set(pd.read_csv(first.run_dir / "findings.csv")["finding_id"])
    assert set(findings.loc[findings["status"] == "open", "finding_id"]) <= first_ids
    runs = history.runs(out / "history.duckdb")
    assert runs[["run_id", "new", "fixed", "exit_code"]].values.tolist() == [
        [first.run_id, len(first_ids), 0, 0], [second.run_id, 1, 1, 1]]


def test_new_only_ignores_old_blockers_when_the_new_finding_is_not_one(corpus_dir, tmp_path,
                                                                        fake_notebooks):
    out = tmp_path / "reports"
    report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    _edit(corpus_dir, "a1", sections={"benefits": CLEAN_SECTIONS["benefits"] + " "
                                      + LONG_SENTENCE})
    only_new = report.run(corpus_dir, out=out, fail_on="blocker", new_only=True, **OPTIONS)
    assert only_new.exit_code == report.EXIT_OK  # a2's missing label is old debt
    new = _summary(only_new)["since_previous"]["new"]
    assert new == 2  # the long sentence: above target and too long (both info)
    every = report.run(corpus_dir, out=out, fail_on="blocker", **OPTIONS)
    assert every.exit_code == report.EXIT_FINDINGS
    assert _summary(every)["since_previous"]["new"] == 0


def test_the_cli_takes_history_options(corpus_dir, tmp_path, fake_notebooks, capsys):
    out, store = tmp_path / "reports", tmp_path / "elsewhere" / "runs.duckdb"
    base = ["report", "--corpus", str(corpus_dir), "--out", str(out), "--quiet", "--jobs",
            "1", "--as-of", "2026-11-24"]
    assert main([*base, "--history", str(store), "--fail-on", "never"]) == 0
    _fix_one_add_a_blocker(corpus_dir)
    assert main([*base, "--history", str(store), "--new-only"]) == 1
    assert store.is_file() and not (out / "history.duckdb").exists()
    assert main([*base, "--no-history", "--new-only", "--fail-on", "warning"]) == 1
    capsys.readouterr()
    assert main(["history", "--out", str(out), "--history", str(store), "--format", "csv"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 3 and listed[0].startswith("run_id,started")
    with pytest.raises(SystemExit) as usage:  # argparse: one or the other
        main([*base, "--history", str(store), "--no-history"])
    assert usage.value.code == 2


def test_without_history_every_finding_is_new_and_nothing_is_kept(corpus_dir, tmp_path,
                                                                  fake_notebooks):
    out = tmp_path / "reports"
    for _ in range(2):
        result = report.run(corpus_dir, out=out, fail_on="never", history=False, **OPTIONS)
    assert not (out / "history.duckdb").exists()
    assert not (result.run_dir / "fixed.csv").exists()
    summary = _summary(result)
    assert summary["since_previous"] is None and summary["history"] is None
    assert set(pd.read_csv(result.run_dir / "findings.csv")["status"]) == {"new"}
    assert "No history store" in (result.run_dir / "index.html").read_text()


def test_the_index_shows_new_and_fixed_and_links_the_previous_run(corpus_dir, tmp_path,
                                                                   fake_notebooks):
    out = tmp_path / "reports"
    first = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert "First recorded run" in (first.run_dir / "index.html").read_text()
    _fix_one_add_a_blocker(corpus_dir)
    second = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    page = BeautifulSoup((second.run_dir / "index.html").read_text(), "html.parser")
    cards = {c.get_text(" ", strip=True) for c in page.select(".cards.since .card")}
    assert {"1 new since the previous run", "1 fixed since the previous run"} <= cards
    link = page.find("a", string=first.run_id)
    assert link["href"] == f"../{first.run_id}/index.html"
    assert (second.run_dir / link["href"]).resolve() == (first.run_dir / "index.html").resolve()
    assert page.find("a", href="fixed.csv") is not None


def test_the_snapshot_carries_status_and_the_pending_run(corpus_dir, tmp_path, fake_notebooks):
    from stackwise_analysis.snapshot import load

    result = report.run(corpus_dir, out=tmp_path / "r", fail_on="never", **OPTIONS)
    snap = load(result.run_dir / "snapshot")
    assert set(snap.audit.findings["status"].astype(str)) == {"new"}
    assert history.store_of(snap) == str((tmp_path / "r" / "history.duckdb").resolve())
    pending = history.pending_record(snap)
    assert pending.run["run_id"] == result.run_id and pending.run["new"] == len(
        snap.audit.findings)


# ------------------------------------------------------------------------------ failures
def test_a_failed_notebook_is_recorded_but_not_compared_with(corpus_dir, tmp_path,
                                                             fake_notebooks):
    out = tmp_path / "reports"
    first = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    fake_notebooks["01_corpus_overview"] = "ValueError: boom"
    failed = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert failed.exit_code == report.EXIT_NOTEBOOK
    fake_notebooks.clear()
    _fix_one_add_a_blocker(corpus_dir)
    third = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert _summary(third)["since_previous"]["run_id"] == first.run_id
    codes = history.runs(out / "history.duckdb").set_index("run_id")["exit_code"]
    assert codes.to_dict() == {first.run_id: 0, failed.run_id: 3, third.run_id: 0}


@pytest.mark.parametrize("where", ["_run_notebooks", "_write_index", "_insert"])
def test_an_interrupted_run_records_nothing(corpus_dir, tmp_path, fake_notebooks, monkeypatch,
                                           where):
    out = tmp_path / "reports"
    first = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    real_insert = history._insert

    def interrupted(*args, **kwargs):
        if where == "_insert" and args[1] != "scores":
            return real_insert(*args, **kwargs)  # halfway through the inserts
        raise KeyboardInterrupt

    monkeypatch.setattr(history if where == "_insert" else report, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert history.runs(out / "history.duckdb")["run_id"].tolist() == [first.run_id]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [first.run_id, "latest", "history.duckdb"])


def test_a_store_that_cannot_be_used_stops_the_run_before_publishing(corpus_dir, tmp_path,
                                                                     fake_notebooks):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "history.duckdb").write_text("not a database\n")
    with pytest.raises(HistoryError, match="history.duckdb"):
        report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    assert sorted(p.name for p in out.iterdir()) == ["history.duckdb"]
    assert main(["report", "--corpus", str(corpus_dir), "--out", str(out), "--quiet",
                 "--jobs", "1"]) == 2


# ------------------------------------------------------------------------------ history command
def test_history_lists_runs_and_keep_prunes_folders_but_not_rows(corpus_dir, tmp_path,
                                                                 fake_notebooks, capsys):
    out = tmp_path / "reports"
    runs = [report.run(corpus_dir, out=out, fail_on="never", **OPTIONS) for _ in range(3)]
    report.point_latest_at(out, runs[0].run_id)  # latest is the oldest: it must survive
    capsys.readouterr()
    assert main(["history", "--out", str(out), "--keep", "1"]) == 0
    printed = capsys.readouterr()
    assert printed.err.strip().splitlines() == [f"deleted {out / runs[1].run_id}"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink()) == [
        runs[0].run_id, runs[2].run_id]
    table = printed.out.splitlines()
    assert table[0].split() == ["Run", "Started", "Articles", "Blockers", "Warnings", "New",
                                "Fixed", "Exit", "Code"]
    assert [line.split()[0] for line in table[1:]] == [r.run_id for r in runs]
    assert main(["history", "--out", str(out), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed] == [r.run_id for r in runs]
    assert main(["history", "--out", str(out), "--keep", "0"]) == 2
    assert main(["history", "--out", str(tmp_path / "nowhere")]) == 2


# ------------------------------------------------------------------------------ the real notebook
@pytest.mark.slow
def test_the_trends_report_is_published_beside_the_others(corpus_dir, tmp_path):
    out = tmp_path / "reports"
    first = report.run(corpus_dir, out=out, fail_on="never", notebooks=["trends"], **OPTIONS)
    assert first.failed == {}
    html = (first.run_dir / "06_trends.html").read_text()
    assert "Only one run so far" in html
    _fix_one_add_a_blocker(corpus_dir)
    second = report.run(corpus_dir, out=out, fail_on="never", notebooks=["trends"], **OPTIONS)
    assert second.failed == {}
    html = (second.run_dir / "06_trends.html").read_text()
    assert "2 runs from" in html and "data:image/png;base64," in html
    page = BeautifulSoup(html, "html.parser")
    assert second.run_id in page.get_text()  # the run in progress is in the run table
    index = (second.run_dir / "index.html").read_text()
    assert 'href="06_trends.html"' in index


def test_the_documented_queries_answer_what_they_say(corpus_dir, tmp_path, fake_notebooks):
    import re

    import duckdb

    from conftest import REPO

    out = tmp_path / "reports"
    report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    _fix_one_add_a_blocker(corpus_dir)  # a1 gains a blocker: it regressed
    report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    text = (REPO / "docs" / "history.md").read_text(encoding="utf-8")
    per_week, regressed, longest_open = re.findall(r"```sql\n(.*?)```", text, re.S)
    with duckdb.connect(str(out / "history.duckdb"), read_only=True) as con:
        weeks = con.sql(per_week).df()
        worse = con.sql(regressed).df()
        oldest = con.sql(longest_open).df()
    assert len(weeks) == 1 and weeks["blockers"].iloc[0] == 2
    assert worse["article_id"].tolist() == ["a1"]
    assert worse[["blockers_before", "blockers_now"]].values.tolist() == [[0, 1]]
    assert oldest["check"].iloc[0] == "risk.missing_label"  # a blocker open since run one
    assert oldest["first_seen"].is_monotonic_increasing and len(oldest) == 20


def test_fixed_csv_makes_formula_leading_evidence_inert(corpus_dir, tmp_path, fake_notebooks):
    """Evidence is article text: a fixed finding's sentence that begins like a formula is
    written as text, as in findings.csv."""
    out = tmp_path / "reports"
    _edit(corpus_dir, "a1", sections={
        "benefits": CLEAN_SECTIONS["benefits"] + " =1+1 cures eczema in a week."})
    report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    _edit(corpus_dir, "a1", sections={"benefits": CLEAN_SECTIONS["benefits"]})
    second = report.run(corpus_dir, out=out, fail_on="never", **OPTIONS)
    fixed = pd.read_csv(second.run_dir / "fixed.csv")
    claim = fixed[fixed["check"] == "compliance.disease_claim"]
    assert claim["evidence"].tolist() == ["'=1+1 cures eczema in a week."]
