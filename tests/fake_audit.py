"""A small Corpus and Audit with the contract's columns and dtypes, built without the audits.

Report, snapshot, table and Excel tests use it so they do not depend on what the audits
happen to find; the end-to-end report test uses the real loader and audit instead.
"""

from __future__ import annotations

import pandas as pd
from corpus_factory import make_corpus, spec

from stackwise_analysis.audits import Audit, scorecard
from stackwise_analysis.audits.findings import make_findings
from stackwise_analysis.audits.risk import risk_summary
from stackwise_analysis.styleguide import load_styleguide

GRADES = {"a1": 7.2, "a2": 11.5, "a3": 9.1, "a4": 5.0}


def fake_corpus():
    """Four articles: clean, no label and no science section, short protocol, High risk."""
    corpus = make_corpus(
        spec(article_id="a1", metadata={"category": "diet"}),
        spec(article_id="a2", label=None, sections={"science": None},
             metadata={"category": "device"}),
        spec(article_id="a3", sections={"protocol": "Rest."}, metadata={"category": "diet"}),
        spec(article_id="a4", label="High Risk", risks=("bruising",),
             metadata={"category": "procedure"}),
    )
    errors = pd.DataFrame({"path": ["bad.txt"], "error": ["empty"],
                           "message": ["the file is empty"]}).astype("string")
    corpus.errors = errors
    return corpus


def fake_readability(corpus) -> pd.DataFrame:
    """An article row and one row per section for every article, grades from ``GRADES``."""
    ids = corpus.articles["article_id"]
    article = pd.DataFrame({"article_id": ids, "scope": "article", "section": pd.NA})
    parts = corpus.sections[["article_id", "section"]].assign(scope="section")
    table = pd.concat([article, parts], ignore_index=True)
    table["flesch_kincaid_grade"] = table["article_id"].map(GRADES).astype("Float64")
    table["sentences"] = pd.array([3] * len(table), dtype="Int64")
    return table.astype({"article_id": "string", "scope": "string", "section": "string"})


def fake_findings() -> pd.DataFrame:
    rows = [
        {"article_id": "a2", "audit": "risk", "check": "risk.missing_label",
         "severity": "blocker", "message": "No label.", "line": 1},
        {"article_id": "a2", "audit": "completeness", "check": "completeness.missing_section",
         "severity": "warning", "section": "science", "message": "Science missing.",
         "evidence": "The Science Behind It"},
        {"article_id": "a3", "audit": "completeness", "check": "completeness.short_section",
         "severity": "info", "section": "protocol", "message": "Short.", "evidence": "1",
         "line": 13},
        {"article_id": "a4", "audit": "risk", "check": "risk.too_few_risks",
         "severity": "warning", "section": "health_risks", "message": "Too few.",
         "evidence": "=1+1 formula-looking evidence"},
        {"article_id": "a2", "audit": "readability", "check": "readability.hard_to_read",
         "severity": "warning", "message": "Grade 11.5.", "evidence": "11.5"},
    ]
    return make_findings(rows)


def fake_audit(corpus=None) -> tuple:
    """``(corpus, audit)`` built from the fakes above."""
    corpus = corpus if corpus is not None else fake_corpus()
    guide = load_styleguide()
    readability = fake_readability(corpus)
    findings = fake_findings()
    return corpus, Audit(findings=findings, readability=readability,
                         risk_summary=risk_summary(corpus, readability, guide),
                         scorecard=scorecard(corpus, findings, readability), styleguide=guide)
