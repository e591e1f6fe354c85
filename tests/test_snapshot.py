"""Snapshots: every Corpus and Audit frame comes back from Parquet with the same dtypes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fake_audit import fake_audit

from stackwise_analysis import snapshot
from stackwise_analysis.audits import Audit
from stackwise_analysis.audits.findings import empty_findings
from stackwise_analysis.constants import RISK_DTYPE, SEVERITY_DTYPE
from stackwise_analysis.exceptions import CorpusError, UsageError


@pytest.fixture
def saved(tmp_path):
    corpus, result = fake_audit()
    folder = snapshot.save(tmp_path / "snap", corpus, result, meta={"as_of": "2026-11-24"})
    return corpus, result, folder


@pytest.mark.parametrize("owner,name", [(o, n) for o in ("corpus",) for n in snapshot.CORPUS_FRAMES]
                         + [("audit", n) for n in snapshot.AUDIT_FRAMES])
def test_every_frame_round_trips_with_its_dtypes(saved, owner, name):
    corpus, result, folder = saved
    loaded = snapshot.load(folder)
    original = getattr(corpus if owner == "corpus" else result, name).reset_index(drop=True)
    back = getattr(loaded.corpus if owner == "corpus" else loaded.audit, name)
    pd.testing.assert_frame_equal(back, original, check_dtype=True, check_categorical=True)


def test_ordered_categoricals_keep_their_order(saved):
    _, _, folder = saved
    loaded = snapshot.load(folder)
    assert loaded.corpus.articles["risk_level"].dtype == RISK_DTYPE
    severity = loaded.audit.findings["severity"]
    assert severity.dtype == SEVERITY_DTYPE
    # comparisons only work when the order survived
    assert (severity >= "warning").sum() == (loaded.audit.findings["severity"]
                                             .isin(["warning", "blocker"]).sum())


def test_empty_frames_keep_their_categories(tmp_path):
    corpus, result = fake_audit()
    empty = Audit(findings=empty_findings(), readability=result.readability.iloc[0:0],
                  risk_summary=result.risk_summary, scorecard=result.scorecard,
                  styleguide=result.styleguide)
    corpus.errors = corpus.errors.iloc[0:0]
    loaded = snapshot.load(snapshot.save(tmp_path / "snap", corpus, empty))
    assert len(loaded.audit.findings) == 0
    assert loaded.audit.findings["severity"].dtype == SEVERITY_DTYPE
    assert list(loaded.audit.findings.columns) == list(empty_findings().columns)
    assert len(loaded.corpus.errors) == 0


def test_python_and_pyarrow_strings_come_back_as_saved(tmp_path):
    corpus, result = fake_audit()
    corpus.errors = corpus.errors.astype({"path": pd.StringDtype("python"),
                                          "message": pd.StringDtype("pyarrow")})
    loaded = snapshot.load(snapshot.save(tmp_path / "snap", corpus, result))
    assert loaded.corpus.errors["path"].dtype.storage == "python"
    assert loaded.corpus.errors["message"].dtype.storage == "pyarrow"


def test_styleguide_root_and_meta_are_kept(saved):
    corpus, result, folder = saved
    loaded = snapshot.load(folder)
    assert loaded.styleguide.data == result.styleguide.data
    assert loaded.styleguide.sources == result.styleguide.sources
    assert loaded.audit.styleguide is loaded.styleguide
    assert loaded.corpus.root == corpus.root
    assert loaded.meta["as_of"] == "2026-11-24"
    assert loaded.meta["fingerprint"] == corpus.fingerprint


def test_a_folder_without_manifest_is_not_a_snapshot(saved, tmp_path):
    _, _, folder = saved
    (folder / snapshot.MANIFEST).unlink()
    with pytest.raises(UsageError, match="not a snapshot"):
        snapshot.load(folder)
    with pytest.raises(UsageError):
        snapshot.load(tmp_path / "nowhere")


def test_an_unknown_format_is_refused(saved):
    _, _, folder = saved
    manifest = json.loads((folder / snapshot.MANIFEST).read_text())
    manifest["format"] = 99
    (folder / snapshot.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(UsageError, match="format 99"):
        snapshot.load(folder)


def test_a_frame_is_read_only_when_used_and_a_damaged_one_is_named(saved):
    """A notebook that shows the label chart never reads the corpus's text."""
    corpus, result, folder = saved
    (folder / "corpus.sections.parquet").write_bytes(b"not parquet")
    loaded = snapshot.load(folder)
    assert isinstance(loaded.audit, Audit)
    pd.testing.assert_frame_equal(loaded.audit.risk_summary,
                                  result.risk_summary.reset_index(drop=True))
    with pytest.raises(UsageError, match=r"corpus\.sections\.parquet cannot be read"):
        len(loaded.corpus.sections)
    loaded.audit.findings = loaded.audit.findings.head(1)  # replaced, as on an Audit
    assert len(loaded.audit.findings) == 1


def test_load_or_compute_with_a_snapshot_never_reads_the_corpus(saved, tmp_path):
    _, result, folder = saved
    loaded = snapshot.load_or_compute(folder, tmp_path / "no-such-corpus", "no-such.yml")
    assert len(loaded.audit.findings) == len(result.findings)


def test_load_or_compute_needs_a_snapshot_or_a_corpus():
    with pytest.raises(UsageError):
        snapshot.load_or_compute(None, None)


def test_compute_reports_a_missing_or_unreadable_corpus(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        snapshot.compute(tmp_path / "missing")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(CorpusError, match="no article"):
        snapshot.compute(tmp_path)


def test_compute_reports_a_missing_styleguide(tmp_path):
    with pytest.raises(UsageError, match="style guide"):
        snapshot.compute(tmp_path, tmp_path / "missing.yml")
