"""Serial, parallel, cached and Dask runs of the audit give identical results."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pandas as pd
import pytest

from conftest import SAMPLE_ARTICLES, SAMPLE_CATALOG
from stackwise_analysis import audit, load_corpus
from stackwise_analysis.audits.runner import split_corpus

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def sample():
    if not any(SAMPLE_ARTICLES.glob("*.txt")):
        pytest.skip("sample corpus missing")
    return load_corpus(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG)


@pytest.fixture(scope="module")
def serial(sample):
    return audit(sample, as_of=AS_OF, jobs=1)


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.findings, b.findings)
    pd.testing.assert_frame_equal(a.readability, b.readability)
    pd.testing.assert_frame_equal(a.scorecard, b.scorecard)
    pd.testing.assert_frame_equal(a.risk_summary, b.risk_summary)


def test_split_corpus_keeps_every_row_once(sample):
    pieces = list(split_corpus(sample, 7))
    assert [len(p.articles) for p in pieces[:-1]] == [7] * (len(pieces) - 1)
    for name in ("articles", "sections", "risks"):
        joined = pd.concat([getattr(p, name) for p in pieces])
        pd.testing.assert_frame_equal(joined, getattr(sample, name))
    for piece in pieces:
        ids = set(piece.articles["article_id"])
        assert set(piece.sections["article_id"]) <= ids


def test_parallel_equals_serial(sample, serial, monkeypatch):
    from stackwise_analysis.audits import runner

    monkeypatch.setattr(runner, "MIN_CHUNK_ARTICLES", 1)
    monkeypatch.setattr(runner, "MAX_CHUNK_ARTICLES", 5)
    pieces = list(runner.split_corpus(sample, runner.chunk_size(len(sample.articles), 2)))
    assert len(pieces) == -(-len(sample.articles) // 5)
    parallel = audit(sample, as_of=AS_OF, jobs=2)
    assert_same(serial, parallel)


def test_cached_rerun_equals_serial_and_reuses(sample, serial, tmp_path):
    cache = tmp_path / "cache"
    first = audit(sample, as_of=AS_OF, cache=cache)
    assert_same(serial, first)
    second = audit(sample, as_of=AS_OF, cache=cache)
    assert_same(serial, second)
    assert len(list(cache.glob("audit-*/segment-*"))) == 1  # the re-run wrote nothing new


def test_cache_recomputes_only_changed_articles(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, folder)
    cache = tmp_path / "cache"
    audit(load_corpus(folder), as_of=AS_OF, cache=cache)
    target = sorted(folder.glob("0*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8-sig").replace(
        "How It Works", "How It Works\n\nThis cures everything, guaranteed.", 1),
        encoding="utf-8")
    corpus = load_corpus(folder)
    rerun = audit(corpus, as_of=AS_OF, cache=cache)
    fresh = audit(corpus, as_of=AS_OF)
    assert_same(fresh, rerun)
    claims = rerun.findings.query("check == 'compliance.absolute_claim'")
    assert target.stem in set(claims["article_id"])


@pytest.mark.slow
def test_dask_cluster_equals_serial(sample, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert_same(serial, audit(sample, as_of=AS_OF, client=client))


@pytest.mark.slow
def test_cli_audit_on_a_dask_scheduler_prints_the_serial_findings(serial, capsys):
    distributed = pytest.importorskip("distributed")
    from stackwise_analysis.cli import main

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["audit", str(SAMPLE_ARTICLES), "--metadata", str(SAMPLE_CATALOG),
                     "--as-of", str(AS_OF), "--format", "csv", "--fail-on", "never",
                     "--quiet", "--scheduler", cluster.scheduler_address])
    assert code == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(printed) == len(serial.findings)
    assert printed["check"].tolist() == serial.findings["check"].tolist()


def test_cli_unreachable_scheduler_is_a_usage_error(capsys):
    from stackwise_analysis.cli import main

    code = main(["audit", str(SAMPLE_ARTICLES), "--quiet", "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_cli_cache_reuses_results(tmp_path, capsys):
    from stackwise_analysis.cli import main

    args = ["audit", str(SAMPLE_ARTICLES), "--format", "csv", "--fail-on", "never", "--quiet",
            "--as-of", str(AS_OF), "--cache", str(tmp_path / "cache"), "--jobs", "1"]
    assert main(args) == 0
    first = capsys.readouterr().out
    written = sorted(p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.arrow"))
    assert written
    assert main(args) == 0
    assert capsys.readouterr().out == first
    assert sorted(p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.arrow")) == \
        written


def test_unreadable_cache_segment_is_audited_again(sample, serial, tmp_path):
    cache = tmp_path / "cache"
    audit(sample, as_of=AS_OF, cache=cache)
    for path in cache.rglob("readability.arrow"):
        path.write_bytes(b"torn")
    assert_same(serial, audit(sample, as_of=AS_OF, cache=cache))


def test_cache_segments_are_compacted_and_results_stay_the_same(tmp_path, monkeypatch):
    from stackwise_analysis.segments import SegmentStore

    monkeypatch.setattr(SegmentStore, "MAX_SEGMENTS", 2)
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, folder)
    cache = tmp_path / "cache"
    for run, target in enumerate(sorted(folder.glob("0*.txt"))[:4]):
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nAn added sentence for run number {run} of this test.\n")
        corpus = load_corpus(folder, cache=cache)
        rerun = audit(corpus, as_of=AS_OF, cache=cache)
        assert len(list(cache.glob("audit-*/segment-*"))) <= 2
    assert_same(audit(corpus, as_of=AS_OF), rerun)


def test_cache_with_no_readable_article(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    corpus = load_corpus(folder)
    assert corpus.articles.empty
    plain = audit(corpus, as_of=AS_OF)
    cached = audit(corpus, as_of=AS_OF, cache=tmp_path / "cache")
    assert cached.findings.empty and cached.readability.empty
    assert list(cached.findings.columns) == list(plain.findings.columns)


@pytest.mark.parametrize("with_catalog", [True, False])
@pytest.mark.parametrize("nested", [True, False])
def test_findings_come_sorted_whatever_the_file_order(tmp_path, with_catalog, nested):
    """Nested, discovery order (folders first) differs from article-id order; flat, it
    does not, and the final sort is skipped when nothing else is to be merged in."""
    from stackwise_analysis.audits import sort_findings

    sources = sorted(SAMPLE_ARTICLES.glob("0*.txt"))[:6]
    for number, source in enumerate(sources):
        folder = tmp_path / "articles" / (("a" if number % 2 else "b") if nested else "")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / source.name)
    corpus = load_corpus(tmp_path / "articles",
                         metadata=SAMPLE_CATALOG if with_catalog else None)
    ids = corpus.articles["article_id"]
    assert ids.is_monotonic_increasing is not nested
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):
        findings = audit(corpus, as_of=AS_OF, cache=cache).findings
        assert findings["article_id"].nunique() == len(ids)
        pd.testing.assert_frame_equal(findings, sort_findings(findings))


def test_a_cached_run_keeps_what_the_readability_counter_learned(sample, serial, tmp_path):
    import pyarrow.feather as feather

    cache = tmp_path / "cache"
    audit(sample, as_of=AS_OF, cache=cache)
    [memo] = cache.glob("audit-*/memo.arrow")
    tokens = feather.read_table(memo)
    assert tokens.num_rows > 1000 and set(tokens.column_names) == {"key", "values"}
    memo.write_bytes(b"torn")  # a memo that cannot be read only costs time
    for path in cache.glob("audit-*/segment-*"):
        shutil.rmtree(path)
    assert_same(serial, audit(sample, as_of=AS_OF, cache=cache))
    assert feather.read_table(memo).num_rows == tokens.num_rows
