"""The report run: arguments, exports, exit codes, atomic publishing, and the real suite."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fake_audit import fake_audit
from report_fixtures import SAMPLE_AS_OF, sample_report, write_small_corpus

from conftest import REPO, SAMPLE_ARTICLES, SAMPLE_CATALOG
from stackwise_analysis import audit, load_corpus, report
from stackwise_analysis.audits.findings import FINDINGS_COLUMNS
from stackwise_analysis.exceptions import CorpusError, UsageError
from stackwise_analysis.notebook_run import NotebookOutcome
from stackwise_analysis.review.waivers import DECISION_COLUMNS

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
REAL_AUDIT = report._audit
RUN_FILES = ["index.html", "findings.csv", "findings.xlsx", "articles.csv", "summary.json",
             "run.log", "snapshot/manifest.json"]


# ------------------------------------------------------------------------------ helpers
@pytest.fixture
def corpus_dir(tmp_path):
    return write_small_corpus(tmp_path / "articles")


@pytest.fixture
def quick(monkeypatch):
    """Fake audit and notebooks that "run" instantly, so the rest of run() is real."""
    monkeypatch.setattr(report, "_audit", lambda loaded, *a: fake_audit(loaded)[1])
    failures: dict[str, str] = {}

    def fake_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        outcomes = []
        for source in sources:
            (staging / "notebooks" / source.name).write_bytes(source.read_bytes())
            (staging / f"{source.stem}.html").write_text("<html></html>")
            outcomes.append(NotebookOutcome(name=source.stem, title=source.stem,
                                            ipynb=f"notebooks/{source.name}",
                                            html=f"{source.stem}.html",
                                            error=failures.get(source.stem)))
        return outcomes

    monkeypatch.setattr(report, "_run_notebooks", fake_notebooks)
    return failures


def _no_staging(out: Path) -> bool:
    return not list(out.glob(f"{report.STAGING_PREFIX}*"))


# ------------------------------------------------------------------------------ arguments
def test_bad_fail_on_and_jobs_are_usage_errors(corpus_dir, tmp_path):
    with pytest.raises(UsageError, match="fail_on"):
        report.run(corpus_dir, out=tmp_path / "r", fail_on="sometimes")
    with pytest.raises(UsageError, match="jobs"):
        report.run(corpus_dir, out=tmp_path / "r", jobs=0)
    assert not (tmp_path / "r").exists()


def test_missing_inputs_are_reported_before_anything_is_written(corpus_dir, tmp_path):
    out = tmp_path / "r"
    with pytest.raises(CorpusError, match="not found"):
        report.run(tmp_path / "missing", out=out)
    with pytest.raises(UsageError, match="metadata"):
        report.run(corpus_dir, metadata=tmp_path / "none.csv", out=out)
    with pytest.raises(UsageError, match="style guide"):
        report.run(corpus_dir, styleguide=tmp_path / "none.yml", out=out)
    with pytest.raises(UsageError, match="not a date"):
        report.run(corpus_dir, out=out, as_of="yesterday")
    assert not out.exists()


def test_a_corpus_with_no_readable_article_is_a_corpus_error(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    out = tmp_path / "r"
    with pytest.raises(CorpusError, match="empty"):
        report.run(bad, out=out, quiet=True)
    assert list(out.iterdir()) == []


def test_notebooks_are_picked_by_name_with_or_without_the_number():
    picked = report.select_notebooks(["readability", "01_corpus_overview.ipynb"])
    assert [p.stem for p in picked] == ["01_corpus_overview", "04_readability"]
    assert [p.stem for p in report.select_notebooks("risk_distribution")] == [
        "02_risk_distribution"]
    assert [p.stem for p in report.select_notebooks()] == NOTEBOOKS


def test_unknown_notebook_names_and_folders_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="choose from"):
        report.select_notebooks(["nope"])
    with pytest.raises(UsageError, match="not found"):
        report.select_notebooks(None, tmp_path / "missing")
    with pytest.raises(UsageError, match="no notebooks"):
        report.select_notebooks(None, tmp_path)


def test_the_packaged_notebooks_are_found_in_a_checkout():
    assert report.default_notebooks_dir() == REPO / "notebooks"
    assert len(NOTEBOOKS) == 6


def test_run_ids_sort_by_time_and_do_not_collide():
    ids = {report.new_run_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}", i) for i in ids)
    in_order = []
    for _ in range(5):  # well inside one second: the suffix must not decide the order
        in_order.append(report.new_run_id())
        time.sleep(0.002)
    assert sorted(in_order) == in_order


# ------------------------------------------------------------------------------ the run, fast
def test_a_run_writes_every_file_and_publishes(corpus_dir, tmp_path, quick, capsys):
    out = tmp_path / "reports"
    result = report.run(corpus_dir, out=out, fail_on="never")
    assert result.exit_code == report.EXIT_OK
    assert result.run_dir == out / result.run_id
    for name in RUN_FILES:
        assert (result.run_dir / name).is_file(), name
    assert report.latest_run(out) == result.run_dir.resolve()
    assert _no_staging(out)
    assert "publishing" in capsys.readouterr().err
    assert not (result.run_dir / ".kernels").exists()


def test_findings_csv_and_summary_match_the_audit(corpus_dir, tmp_path, quick):
    result = report.run(corpus_dir, out=tmp_path / "r", fail_on="never", quiet=True)
    expected = fake_audit()[1].findings
    written = pd.read_csv(result.run_dir / "findings.csv")
    assert (written.pop("status") == "new").all()  # a first run: everything is new
    page = written.pop("page")
    assert written[list(DECISION_COLUMNS)].isna().all().all()  # no waivers, no decisions
    written = written.drop(columns=list(DECISION_COLUMNS)).astype(FINDINGS_COLUMNS)
    # formula-looking text is written inert (tests/test_csv_export.py), all else as it is
    neutral = expected["evidence"].str.startswith("=").fillna(False).astype(bool)
    assert written.loc[neutral, "evidence"].str.startswith("'=").all() and neutral.any()
    pd.testing.assert_frame_equal(written.assign(evidence=expected["evidence"].where(
        neutral, written["evidence"])), expected)
    # each finding of an article at warning or above leads to that article's page
    flagged = expected.groupby("article_id")["severity"].max() >= "warning"
    has_page = written["article_id"].map(flagged).fillna(False).astype(bool)
    assert has_page.any() and not has_page.all()
    assert (page.notna() == has_page).all()
    assert (page[has_page] == "articles/" + written["article_id"][has_page] + ".html").all()
    assert all((result.run_dir / p).is_file() for p in page.dropna())
    summary = json.loads((result.run_dir / "summary.json").read_text())
    assert summary["findings"]["total"] == len(expected)
    by_severity = expected["severity"].value_counts()
    assert summary["findings"]["by_severity"] == {s: int(by_severity[s])
                                                  for s in ("info", "warning", "blocker")}
    by_check = expected.groupby("audit")["check"].size()
    for audit_name, counts in summary["findings"]["by_audit"].items():
        assert sum(counts.values()) == by_check.get(audit_name, 0)
    assert summary["corpus"]["fingerprint"] == load_corpus(corpus_dir).fingerprint
    assert set(summary["steps"]) >= {"load", "audit", "snapshot", "notebooks", "files"}


def test_the_page_cap_is_kept_and_the_index_says_how_many_were_left_out(corpus_dir, tmp_path,
                                                                        quick):
    result = report.run(corpus_dir, out=tmp_path / "r", fail_on="never", quiet=True,
                        article_pages=1)
    pages = result.summary["article_pages"]
    assert pages["written"] == 1 and pages["limit"] == 1
    assert pages["left_out"] == pages["flagged"] - 1 > 0
    assert len(list((result.run_dir / "articles").glob("*.html"))) == 1
    index = BeautifulSoup(result.index_path.read_text(), "html.parser")
    note = " ".join(index.select_one(".pages-note").get_text().split())
    assert f"{pages['left_out']} flagged article" in note and "--article-pages" in note
    # the worst article links to its page; the ones left out are named without a link
    linked = [a["href"] for a in index.select("a[href^='articles/']")]
    assert linked == [f"articles/{pages['worst'][0]['article_id']}.html"]
    assert (result.run_dir / linked[0]).is_file()
    assert len(pages["worst"]) > 1 and pages["worst"][1]["page"] is None


def test_article_pages_must_be_a_whole_number(corpus_dir, tmp_path):
    for bad in (-1, 2.5, "10"):
        with pytest.raises(UsageError, match="article_pages"):
            report.run(corpus_dir, out=tmp_path / "r", article_pages=bad)
    assert not (tmp_path / "r").exists()


def test_the_cli_passes_article_pages_through(corpus_dir, tmp_path, monkeypatch):
    from stackwise_analysis import cli

    seen = {}

    def fake_run(*args, **kwargs):
        seen.update(kwargs)
        return report.RunResult(exit_code=0, run_id="x", run_dir=None, index_path=None)

    monkeypatch.setattr(report, "run", fake_run)
    assert cli.main(["report", "--corpus", str(corpus_dir), "--article-pages", "7"]) == 0
    assert seen["article_pages"] == 7
    assert cli.main(["report", "--corpus", str(corpus_dir)]) == 0
    assert seen["article_pages"] == 2000


def test_cached_runs_publish_what_a_plain_run_does(corpus_dir, tmp_path, quick, monkeypatch):
    monkeypatch.setattr(report, "_audit", REAL_AUDIT)  # notebooks stay fake, the audit is real
    options = {"fail_on": "never", "quiet": True, "as_of": SAMPLE_AS_OF, "jobs": 1,
               "history": False}  # each run's findings alike, statuses aside
    plain = report.run(corpus_dir, out=tmp_path / "plain", **options)
    cache = tmp_path / "cache"
    runs = [report.run(corpus_dir, out=tmp_path / "cached", cache=cache, **options)
            for _ in range(2)]
    expected = (plain.run_dir / "findings.csv").read_text(encoding="utf-8")
    assert "completeness." in expected
    for run in runs:
        assert (run.run_dir / "findings.csv").read_text(encoding="utf-8") == expected
    assert len(list(cache.glob("parsed-*/segment-*"))) == 1  # the second run added nothing
    assert len(list(cache.glob("audit-*/segment-*"))) == 1


@pytest.mark.parametrize("fail_on,code", [("never", 0), ("blocker", 1), ("warning", 1),
                                          ("info", 1)])
def test_exit_code_follows_fail_on(corpus_dir, tmp_path, quick, fail_on, code):
    result = report.run(corpus_dir, out=tmp_path / "r", fail_on=fail_on, quiet=True)
    assert result.exit_code == code
    assert result.latest_updated


def test_a_failed_notebook_exits_3_and_leaves_latest_alone(corpus_dir, tmp_path, quick):
    out = tmp_path / "r"
    first = report.run(corpus_dir, out=out, fail_on="never", quiet=True)
    quick["03_section_completeness"] = "ValueError: boom"
    second = report.run(corpus_dir, out=out, fail_on="never", quiet=True)
    assert second.exit_code == report.EXIT_NOTEBOOK
    assert second.failed == {"03_section_completeness": "ValueError: boom"}
    assert report.latest_run(out) == first.run_dir.resolve()
    index = (second.run_dir / "index.html").read_text()
    assert "03_section_completeness" in index and "ValueError: boom" in index


def test_quiet_prints_nothing(corpus_dir, tmp_path, quick, capsys):
    result = report.run(corpus_dir, out=tmp_path / "r", quiet=True)
    assert capsys.readouterr().err == ""
    log = (result.run_dir / "run.log").read_text()
    assert "loading" in log and "publishing" in log


@pytest.mark.parametrize(("where", "error"), [
    ("_run_notebooks", KeyboardInterrupt), ("_write_files", KeyboardInterrupt),
    ("_write_index", KeyboardInterrupt), ("_write_sarif", OSError)])
def test_an_interrupt_leaves_earlier_runs_and_latest_untouched(corpus_dir, tmp_path, quick,
                                                                monkeypatch, where, error):
    """Also when the exports, written beside the notebooks, fail (a full disk)."""
    out = tmp_path / "r"
    first = report.run(corpus_dir, out=out, quiet=True)
    before = sorted(p.name for p in out.iterdir())

    def interrupted(*args, **kwargs):
        raise error("No space left on device")

    monkeypatch.setattr(report, where, interrupted)
    with pytest.raises(error):
        report.run(corpus_dir, out=out, quiet=True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert report.latest_run(out) == first.run_dir.resolve()


# ------------------------------------------------------------------------------ publishing
def test_latest_is_swapped_atomically_and_stays_relative(tmp_path):
    for run_id in ("r1", "r2"):
        (tmp_path / run_id).mkdir()
        report.point_latest_at(tmp_path, run_id)
        assert os.readlink(tmp_path / "latest") == run_id
    assert report.latest_run(tmp_path) == (tmp_path / "r2").resolve()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_without_symlinks_latest_txt_is_the_pointer(tmp_path, monkeypatch):
    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    (tmp_path / "r1").mkdir()
    report.point_latest_at(tmp_path, "r1")
    assert (tmp_path / "latest.txt").read_text().strip() == "r1"
    assert report.latest_run(tmp_path) == tmp_path / "r1"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_publish_never_overwrites_a_run(tmp_path):
    staging = tmp_path / ".staging-x"
    staging.mkdir()
    (tmp_path / "x").mkdir()
    with pytest.raises(UsageError, match="exists"):
        report.publish(staging, tmp_path, "x")
    assert staging.is_dir()


# ------------------------------------------------------------------------------ the real suite
@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory)


@pytest.mark.slow
def test_the_sample_report_runs_clean_and_writes_every_file(sample):
    result = sample.result
    assert result.failed == {}
    assert result.exit_code == report.EXIT_OK
    for name in RUN_FILES:
        assert (result.run_dir / name).is_file(), name
    for name in NOTEBOOKS:
        assert (result.run_dir / f"{name}.html").is_file()
        executed = nbformat.read(result.run_dir / "notebooks" / f"{name}.ipynb", as_version=4)
        code = [c for c in executed.cells if c.cell_type == "code"]
        assert all(c.execution_count is not None for c in code), name
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert errors == [], name
    assert report.latest_run(sample.out) == result.run_dir.resolve()
    assert _no_staging(sample.out)


@pytest.mark.slow
def test_the_notebooks_read_the_snapshot_of_the_run(sample):
    executed = nbformat.read(sample.result.run_dir / "notebooks" / "01_corpus_overview.ipynb",
                             as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'snapshot = "../snapshot"' in injected[0].source


@pytest.mark.slow
def test_the_html_reports_hold_no_code(sample):
    for name in NOTEBOOKS:
        html = (sample.result.run_dir / f"{name}.html").read_text()
        assert "load_or_compute" not in html
        assert "plots." not in html
        # The lab stylesheet names the code input classes; no element may carry them.
        page = BeautifulSoup(html, "html.parser")
        assert not page.select(".jp-InputArea-editor, .jp-CodeCell .jp-InputArea"), name
        assert "data:image/png;base64," in html, name


def network_references(html: str) -> list[str]:
    """Every URL a page would fetch by itself: element sources, stylesheets, CSS url() and
    @import, script imports. A plain link a reader may follow (``<a href>``) is no request."""
    page = BeautifulSoup(html, "html.parser")
    remote = re.compile(r"^\s*(https?:)?//", re.I)
    found = []
    for tag in page.find_all(True):
        for attribute in ("src", "srcset", "data", "poster", "action", "background"):
            if remote.match(tag.get(attribute) or ""):
                found.append(f"<{tag.name} {attribute}={tag[attribute]}>")
        if tag.name in ("link", "use", "image") and remote.match(tag.get("href") or ""):
            found.append(f"<{tag.name} href={tag['href']}>")
    css = " ".join([s.get_text() for s in page.find_all("style")]
                   + [t["style"] for t in page.find_all(style=True)])
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments name web pages, fetch nothing
    found += re.findall(r"(?:url\(|@import)\s*['\"]?\s*(?:https?:)?//[^'\")\s]+", css)
    scripts = " ".join(s.get_text() for s in page.find_all("script"))
    found += re.findall(r"(?:import|from|fetch)\s*\(?\s*['\"](?:https?:)?//[^'\"]+", scripts)
    return found


def test_network_references_are_found_where_they_would_load():
    assert network_references('<script src="https://cdn.example/x.js"></script>')
    assert network_references('<style>a { background: url("//cdn.example/a.png") }</style>')
    assert network_references("<script type=module>import x from 'https://unpkg.com/x';</script>")
    assert not network_references('<a href="https://www.ecfr.gov/">rule</a>'
                                  "<style>/* see https://example.org */</style>")


@pytest.mark.slow
def test_no_page_of_the_sample_run_loads_anything_from_a_network(sample):
    pages = sorted(sample.result.run_dir.glob("*.html"))
    pages += sorted((sample.result.run_dir / "articles").glob("*.html"))
    assert len(pages) > 10
    for path in pages:
        assert network_references(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.slow
def test_the_sample_reports_have_searchable_tables_linked_to_the_pages(sample):
    run_dir = sample.result.run_dir
    html = (run_dir / "05_compliance_review.html").read_text(encoding="utf-8")
    assert html.count("= injectModule(") == 1  # the DataTables bundle, embedded once
    linked = set(re.findall(r"articles/([\w.-]+)\.html", html))
    assert linked and all((run_dir / "articles" / f"{i}.html").is_file() for i in linked)
    findings = pd.read_csv(run_dir / "findings.csv")
    assert findings["page"].notna().any()
    assert all((run_dir / p).is_file() for p in findings["page"].dropna().unique())


@pytest.mark.slow
def test_the_sample_findings_csv_equals_the_audit(sample):
    expected = audit(load_corpus(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG),
                     as_of=SAMPLE_AS_OF).findings
    written = pd.read_csv(sample.result.run_dir / "findings.csv",
                          keep_default_na=False, na_values=[""]
                          ).drop(columns=["status", "page", *DECISION_COLUMNS])
    written = written.astype(FINDINGS_COLUMNS)
    pd.testing.assert_frame_equal(written.fillna({"evidence": ""}),
                                  expected.fillna({"evidence": ""}))


@pytest.mark.slow
def test_the_sample_summary_counts_match(sample):
    summary = json.loads((sample.result.run_dir / "summary.json").read_text())
    findings = pd.read_csv(sample.result.run_dir / "findings.csv")
    assert summary["findings"]["total"] == len(findings)
    counts = findings.groupby(["audit", "severity"]).size()
    for audit_name, by_severity in summary["findings"]["by_audit"].items():
        for severity, n in by_severity.items():
            assert counts.get((audit_name, severity), 0) == n
    articles = pd.read_csv(sample.result.run_dir / "articles.csv")
    assert summary["corpus"]["articles"] == len(articles)
    assert summary["run_id"] == sample.result.run_id
    assert summary["package_version"]
    assert len(summary["corpus"]["fingerprint"]) == 64
    assert [n["name"] for n in summary["notebooks"]] == NOTEBOOKS
    assert all(n["status"] == "ok" for n in summary["notebooks"])


@pytest.fixture(scope="module")
def broken_notebooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken-notebooks")
    source = nbformat.read(REPO / "notebooks" / "01_corpus_overview.ipynb", as_version=4)
    nbformat.write(source, folder / "01_corpus_overview.ipynb")
    broken = nbformat.v4.new_notebook()
    broken.metadata = source.metadata
    broken.cells = [nbformat.v4.new_markdown_cell("# Broken on purpose"),
                    nbformat.v4.new_code_cell('snapshot = None', metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell('raise RuntimeError("deliberately broken")')]
    nbformat.write(broken, folder / "02_broken.ipynb")
    return folder


@pytest.mark.slow
def test_fail_on_warning_exits_1_then_a_failing_notebook_exits_3(tmp_path, broken_notebooks):
    out = tmp_path / "reports"
    first = report.run(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG, out=out, fail_on="warning",
                       notebooks=["01_corpus_overview"], quiet=True, as_of=SAMPLE_AS_OF)
    assert first.exit_code == report.EXIT_FINDINGS
    assert report.latest_run(out) == first.run_dir.resolve()

    second = report.run(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG, out=out, fail_on="never",
                        notebooks_dir=broken_notebooks, jobs=2, quiet=True, as_of=SAMPLE_AS_OF)
    assert second.exit_code == report.EXIT_NOTEBOOK
    assert set(second.failed) == {"02_broken"}
    assert "deliberately broken" in second.failed["02_broken"]
    # the previous complete run is still latest, and it is complete
    assert report.latest_run(out) == first.run_dir.resolve()
    for name in RUN_FILES:
        assert (first.run_dir / name).is_file()
    index = (second.run_dir / "index.html").read_text()
    assert "02_broken" in index and "deliberately broken" in index
    assert 'href="02_broken.html"' in index
    html = (second.run_dir / "02_broken.html").read_text()
    assert "deliberately broken" in html
    assert "RuntimeError" in (second.run_dir / "notebooks" / "02_broken.ipynb").read_text()
    assert _no_staging(out)


@pytest.mark.slow
def test_two_runs_started_at_once_both_publish(tmp_path):
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "stackwise_analysis.cli", "report", "--corpus",
               str(SAMPLE_ARTICLES), "--metadata", str(SAMPLE_CATALOG), "--out", str(out),
               "--fail-on", "never", "--notebooks", "01_corpus_overview", "--quiet",
               "--as-of", SAMPLE_AS_OF.isoformat()]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    folders = sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(folders) == 2
    for folder in folders:
        for name in RUN_FILES:
            assert (folder / name).is_file()
    assert report.latest_run(out) in {f.resolve() for f in folders}
    printed = {Path(o[0].strip()) for o in outputs}
    assert printed == {f / "index.html" for f in folders}
    assert _no_staging(out)
    from stackwise_analysis.review import history  # both waited their turn at the store

    assert sorted(history.runs(out / "history.duckdb")["run_id"]) == [f.name for f in folders]


@pytest.mark.slow
def test_sigterm_removes_the_staging_folder_and_keeps_latest(corpus_dir, tmp_path):
    out = tmp_path / "r"
    command = [sys.executable, "-m", "stackwise_analysis.cli", "report", "--corpus",
               str(corpus_dir), "--out", str(out), "--fail-on", "never", "--jobs", "1"]
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    before = sorted(p.name for p in out.iterdir())
    running = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob(".staging-*/notebooks/*.ipynb")):  # mid-run: notebooks started
        assert time.monotonic() < deadline and running.poll() is None
        time.sleep(0.05)
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=60) == 143
    assert "terminated" in running.stderr.read().decode()
    assert sorted(p.name for p in out.iterdir()) == before
