"""A damaged cache segment is skipped, named and redone: results equal an uncached run's."""

from __future__ import annotations

import datetime as dt
import logging
import random
import shutil

import pandas as pd
import pytest

from conftest import SAMPLE_ARTICLES
from stackwise_analysis import audit, load_corpus
from stackwise_analysis.segments import CHECKSUMS

AS_OF = dt.date(2026, 11, 24)
FRAMES = ("articles", "sections", "risks", "errors")


def damage(path, how: str) -> None:
    """Truncate ``path`` to half, zero 256 bytes in its middle, or overwrite them with
    random bytes (0xFF among them), the ways a disk or a stray write breaks a file."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    if how == "truncate":
        data = data[:middle]
    elif how == "zeros":
        data[middle:middle + 256] = bytes(256)
    else:
        noise = random.Random(11).randbytes(256)
        data[middle:middle + 256] = b"\xff" * 8 + noise[8:]
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    if not any(SAMPLE_ARTICLES.glob("*.txt")):
        pytest.skip("sample corpus missing")
    target = tmp_path_factory.mktemp("integrity") / "articles"
    shutil.copytree(SAMPLE_ARTICLES, target)
    return target


@pytest.fixture(scope="module")
def plain(folder):
    corpus = load_corpus(folder)
    return corpus, audit(corpus, as_of=AS_OF)


def _damaged_warnings(caplog, path) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and str(path.parent) in r.getMessage()]


@pytest.mark.parametrize("how", ["truncate", "zeros", "random"])
@pytest.mark.parametrize("table", ["findings", "readability"])
def test_damaged_audit_segment_is_redone(folder, plain, tmp_path, caplog, how, table):
    corpus, expected = plain
    cache = tmp_path / "cache"
    audit(corpus, as_of=AS_OF, cache=cache)
    [path] = cache.glob(f"audit-*/segment-*/{table}.arrow")
    damage(path, how)
    caplog.set_level(logging.WARNING, logger="stackwise_analysis")
    rerun = audit(corpus, as_of=AS_OF, cache=cache)
    pd.testing.assert_frame_equal(rerun.findings, expected.findings)
    pd.testing.assert_frame_equal(rerun.readability, expected.readability)
    assert not rerun.findings["evidence"].str.contains("\x00", regex=False).any()
    assert len(_damaged_warnings(caplog, path)) == 1
    # The damaged segment is gone and a sound one holds every article again.
    assert not path.parent.exists()
    caplog.clear()
    again = audit(corpus, as_of=AS_OF, cache=cache)
    pd.testing.assert_frame_equal(again.findings, expected.findings)
    assert not _damaged_warnings(caplog, path)


@pytest.mark.parametrize("how", ["truncate", "zeros", "random"])
@pytest.mark.parametrize("table", ["articles", "sections"])
def test_damaged_parse_segment_is_parsed_again(folder, plain, tmp_path, caplog, how, table):
    expected, _ = plain
    cache = tmp_path / "cache"
    load_corpus(folder, cache=cache)
    [path] = cache.glob(f"parsed-*/segment-*/{table}.arrow")
    damage(path, how)
    caplog.set_level(logging.WARNING, logger="stackwise_analysis")
    reloaded = load_corpus(folder, cache=cache)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(reloaded, name), getattr(expected, name),
                                      obj=name)
    assert len(_damaged_warnings(caplog, path)) == 1


def test_segment_without_checksums_is_redone(folder, plain, tmp_path, caplog):
    corpus, expected = plain
    cache = tmp_path / "cache"
    audit(corpus, as_of=AS_OF, cache=cache)
    [sums] = cache.glob(f"audit-*/segment-*/{CHECKSUMS}")
    sums.unlink()
    caplog.set_level(logging.WARNING, logger="stackwise_analysis")
    pd.testing.assert_frame_equal(audit(corpus, as_of=AS_OF, cache=cache).findings,
                                  expected.findings)
    assert any(CHECKSUMS in message for message in _damaged_warnings(caplog, sums))


@pytest.mark.parametrize("how", ["truncate", "zeros", "random"])
def test_damaged_memo_is_ignored_with_a_warning(folder, plain, tmp_path, caplog, how):
    corpus, expected = plain
    cache = tmp_path / "cache"
    audit(corpus, as_of=AS_OF, cache=cache)
    [memo] = cache.glob("audit-*/memo.arrow")
    damage(memo, how)
    for segment in cache.glob("audit-*/segment-*"):
        shutil.rmtree(segment)  # so that every article is counted again, memo or not
    caplog.set_level(logging.WARNING, logger="stackwise_analysis")
    rerun = audit(corpus, as_of=AS_OF, cache=cache)
    pd.testing.assert_frame_equal(rerun.readability, expected.readability)
    assert any("memo" in m for m in _damaged_warnings(caplog, memo))


def test_a_report_names_the_damaged_segment_in_run_log_and_on_stderr(tmp_path, monkeypatch,
                                                                      capsys):
    from report_fixtures import SAMPLE_AS_OF, write_small_corpus

    from stackwise_analysis import report
    from stackwise_analysis.notebook_run import NotebookOutcome

    def no_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        return [NotebookOutcome(name="n", title="n", ipynb="notebooks/n.ipynb", html="n.html")]

    monkeypatch.setattr(report, "_run_notebooks", no_notebooks)
    corpus = write_small_corpus(tmp_path / "articles")
    options = {"fail_on": "never", "quiet": True, "as_of": SAMPLE_AS_OF, "jobs": 1,
               "notebooks": ["01_corpus_overview"], "history": False}  # statuses aside
    plain = report.run(corpus, out=tmp_path / "plain", **options)
    cache = tmp_path / "cache"
    report.run(corpus, out=tmp_path / "cached", cache=cache, **options)
    [path] = cache.glob("audit-*/segment-*/findings.arrow")
    damage(path, "zeros")
    capsys.readouterr()
    rerun = report.run(corpus, out=tmp_path / "cached", cache=cache, **options)
    assert (rerun.run_dir / "findings.csv").read_text(encoding="utf-8") == \
        (plain.run_dir / "findings.csv").read_text(encoding="utf-8")
    assert str(path.parent) in (rerun.run_dir / "run.log").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert str(path.parent) in err and len(err.strip().splitlines()) == 1
