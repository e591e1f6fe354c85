"""Report runs shared by the report, notebook and browser tests.

The full report on the sample corpus (real loader, audit, papermill, kernels, nbconvert)
runs once per test session however many test modules ask for it: the result is cached at
module level, and each module wraps ``sample_report`` in a session-scoped fixture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from corpus_factory import render, spec

from conftest import SAMPLE_ARTICLES, SAMPLE_CATALOG
from stackwise_analysis import report

#: The sample corpus judges staleness on the day it was written (data/README.md).
SAMPLE_AS_OF = dt.date(2026, 11, 24)
_CACHE: dict[str, object] = {}


@dataclass
class SampleRun:
    result: report.RunResult
    out: Path


def sample_report(tmp_path_factory) -> SampleRun:
    """The whole report suite on the sample corpus, run once per session."""
    if "sample" not in _CACHE:
        out = tmp_path_factory.mktemp("sample-reports")
        result = report.run(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG, out=out,
                            fail_on="never", jobs=2, quiet=True, as_of=SAMPLE_AS_OF)
        _CACHE["sample"] = SampleRun(result=result, out=out)
    return _CACHE["sample"]


def write_small_corpus(folder: Path) -> Path:
    """Four small house-format articles on disk (one clean, three with defects)."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = [spec(article_id="a1"), spec(article_id="a2", label=None, sections={"science": None}),
             spec(article_id="a3", sections={"protocol": "Rest."}),
             spec(article_id="a4", label="High Risk", risks=("bruising",))]
    for s in specs:
        (folder / f"{s.article_id}.txt").write_text(render(s), encoding="utf-8")
    return folder
