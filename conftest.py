"""Doctest fixtures: the docstring examples of the package run on the sample corpus.

Every example sees ``corpus`` (``data/articles`` with its catalog), ``styleguide`` (the
house rules), ``result`` (the audit of the corpus, staleness judged on the day the sample
was written) and ``pd``/``np``, and runs in a scratch folder where ``data/`` is the sample,
so an example that writes a file leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _pytest.doctest import DoctestItem

REPO = Path(__file__).resolve().parent
#: The day the sample corpus was written (as in tests/test_sample_corpus.py).
SAMPLE_AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def sample_audit():
    """(corpus, styleguide, result) of the sample corpus, built once per session."""
    from stackwise_analysis import audit, load_corpus, load_styleguide

    corpus = load_corpus(REPO / "data" / "articles", metadata=REPO / "data" / "catalog.csv")
    styleguide = load_styleguide()
    return corpus, styleguide, audit(corpus, styleguide, as_of=SAMPLE_AS_OF)


@pytest.fixture(autouse=True)
def _doctest_fixtures(request, tmp_path, monkeypatch):
    """Only for docstring examples: the namespace above and a scratch working folder."""
    if not isinstance(request.node, DoctestItem):
        return
    corpus, styleguide, result = request.getfixturevalue("sample_audit")
    namespace = request.getfixturevalue("doctest_namespace")
    namespace.update(corpus=corpus, styleguide=styleguide, result=result, pd=pd, np=np)
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
