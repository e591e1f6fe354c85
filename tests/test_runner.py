"""Serial, parallel, cached and Dask runs of the audit give identical results."""

from __future__ import annotations

import datetime as dt
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
    monkeypatch.setattr("stackwise_analysis.audits.runner.CHUNK_ARTICLES", 5)
    from stackwise_analysis.audits import runner

    assert runner.CHUNK_ARTICLES == 5
    parallel = audit(sample, as_of=AS_OF, jobs=2)
    assert_same(serial, parallel)


def test_cached_rerun_equals_serial_and_reuses(sample, serial, tmp_path):
    cache = tmp_path / "cache"
    first = audit(sample, as_of=AS_OF, cache=cache)
    assert_same(serial, first)
    second = audit(sample, as_of=AS_OF, cache=cache)
    assert_same(serial, second)
    assert len(list(cache.rglob("*.parquet"))) == 2  # the re-run wrote nothing new


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
