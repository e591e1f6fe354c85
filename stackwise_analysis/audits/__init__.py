"""Run every audit over a corpus: ``audit(corpus) -> Audit`` with findings and metric tables.

Every audit is a module (``risk``, ``completeness``, ``readability``, ``compliance``) exposing
one function of one shape::

    <name>_audit(corpus, styleguide=None, *, as_of=None) -> AuditPart

over a chunk of the corpus (or all of it) and the style guide (a ``Styleguide``, a mapping or
None for the house rules). ``as_of`` is the day the audit is judged on; only compliance's
staleness rule reads it. ``AuditPart`` is ``(findings, table)``: findings rows in the
findings contract (``FINDINGS_COLUMNS``) and the audit's metric table, or None (only
readability keeps one). Inside a module each rule is a small named function, listed in the
module's ``RULES`` in the order its findings are gathered. ``audit_functions()`` gives the four,
in report order; ``audit_articles`` calls them alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import is_sorted, positions
from ..constants import AUDITS, SEVERITIES
from ..corpus import Corpus
from ..styleguide import Styleguide, as_styleguide
from .findings import FINDINGS_COLUMNS, AuditPart, concat_findings, make_findings

#: The shape every audit function has (see the module docstring).
AuditFunction = Callable[..., AuditPart]

#: Overall verdict per article, least to most serious.
STATUS_DTYPE = pd.CategoricalDtype(["pass", "warn", "fail"], ordered=True)


@dataclass
class Audit:
    """Everything the audits found in one corpus.

    Attributes
    ----------
    findings : DataFrame
        One row per broken rule (columns in ``FINDINGS_COLUMNS``), sorted by article,
        audit and line.
    readability : DataFrame
        Counts and scores per article (``scope == "article"``) and per intro/section.
    risk_summary : DataFrame
        Label distribution overall and cross-tabulated (dimension, group, risk_level).
    scorecard : DataFrame
        One row per article: findings counted by audit and severity, and ``status``
        (pass / warn / fail).
    """

    findings: pd.DataFrame
    readability: pd.DataFrame
    risk_summary: pd.DataFrame
    scorecard: pd.DataFrame
    styleguide: Styleguide | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        counts = self.findings["severity"].value_counts().reindex(SEVERITIES, fill_value=0)
        return (f"Audit({len(self.scorecard)} articles, {len(self.findings)} findings: "
                + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")")

    def at_or_above(self, severity: str) -> pd.DataFrame:
        """Findings at ``severity`` or worse, e.g. ``audit.at_or_above("warning")``."""
        return self.findings[self.findings["severity"] >= severity]


def audit_articles(corpus: Corpus, styleguide: Styleguide, *, as_of: dt.date | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-article stage: findings of all four audits and the readability table.

    Every row depends on one article only, so a corpus may be split by article, audited in
    pieces (processes, a cluster, a cache) and concatenated to the same result. Staleness
    is judged here only when ``articles`` carries ``last_reviewed``; ``audit`` leaves it out
    of this stage (it depends on the day, not the article) and judges it corpus-wide.
    """
    parts = {name: run(corpus, styleguide, as_of=as_of)
             for name, run in audit_functions().items()}
    # each audit's findings come typed from make_findings: joined, not rebuilt
    findings = concat_findings(part.findings for part in parts.values())
    return sort_findings(findings), parts["readability"].table


def audit_functions() -> dict[str, AuditFunction]:
    """The four audit functions by audit name, in report order (``AUDITS``)."""
    from .completeness import completeness_audit
    from .compliance import compliance_audit
    from .readability import readability_audit
    from .risk import risk_audit

    return {"risk": risk_audit, "completeness": completeness_audit,
            "readability": readability_audit, "compliance": compliance_audit}


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: article, audit (report order), line, check, evidence."""
    order = findings.assign(_audit=pd.Categorical(findings["audit"], categories=AUDITS).codes)
    order = order.sort_values(["article_id", "_audit", "line", "check", "section", "evidence"],
                              na_position="last", kind="stable")
    return order.drop(columns="_audit").reset_index(drop=True)


def scorecard(corpus: Corpus, findings: pd.DataFrame,
              readability: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per article: counts of findings by audit and severity, and a verdict.

    ``status`` is ``fail`` with any blocker, ``warn`` with any warning, else ``pass``.
    """
    card = corpus.articles[["article_id", "title", "risk_level", "word_count"]].copy()
    # one bincount over (article, audit, severity) codes instead of a groupby of strings
    row = positions(findings["article_id"], card["article_id"])
    audit_code = positions(findings["audit"], list(AUDITS))
    severity_code = pd.Categorical(findings["severity"], categories=SEVERITIES).codes
    known = (row >= 0) & (audit_code >= 0) & (severity_code >= 0)
    cells = len(AUDITS) * len(SEVERITIES)
    flat = (row[known] * len(AUDITS) + audit_code[known]) * len(SEVERITIES) + severity_code[known]
    counts = np.bincount(flat, minlength=len(card) * cells).reshape(len(card), cells)
    count_cols = [f"{a}_{s}" for a in AUDITS for s in SEVERITIES]
    for number, column in enumerate(count_cols):
        card[column] = pd.array(counts[:, number], dtype="Int64")
    for severity in SEVERITIES:
        card[severity] = card[[f"{a}_{severity}" for a in AUDITS]].sum(axis=1).astype("Int64")
    if readability is not None and len(readability):
        grade = readability.loc[readability["scope"] == "article",
                                ["article_id", "flesch_kincaid_grade"]]
        card = card.merge(grade.rename(columns={"flesch_kincaid_grade": "grade"}),
                          on="article_id", how="left")
    status = pd.Series("pass", index=card.index)
    status[card["warning"] > 0] = "warn"
    status[card["blocker"] > 0] = "fail"
    card["status"] = status.astype(STATUS_DTYPE)
    return card.reset_index(drop=True)


class _PerArticleStage:
    """``audit_articles`` as the runner's stage. Its memo is the readability counter's token
    table: a worker hands back what it worked out, a cached run keeps it for the next one,
    whose workers then start warm."""

    def __call__(self, corpus: Corpus, styleguide: Styleguide
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
        return audit_articles(corpus, styleguide)

    @staticmethod
    def prepare(styleguide: Styleguide) -> None:
        """Build what every chunk uses (the claim finder, the word lists) once, here: forked
        workers inherit it instead of each building its own (about 0.5 s a worker, which a
        cached re-run of a few files waits for)."""
        from ..syllables import cmu_syllables, easy_words
        from .compliance import claim_finder

        cmu_syllables()
        easy_words()
        claim_finder(styleguide)

    @staticmethod
    def memo() -> dict:
        from ..text.counts import take_learned_tokens

        return take_learned_tokens()

    @staticmethod
    def learn(memo: dict) -> None:
        from ..text.counts import remember_tokens

        remember_tokens(memo)

    @staticmethod
    def known() -> dict:
        from ..text.counts import known_tokens

        return known_tokens()


_per_article_stage = _PerArticleStage()


# Over 50 lines for its docstring (the public API's parameters); the code is 25.
def audit(corpus: Corpus, styleguide: Styleguide | str | None = None, *,
          as_of: dt.date | None = None, jobs: int | None = 1, client=None,
          cache: str | Path | None = None, progress: bool | None = None) -> Audit:
    """Audit a corpus against the house rules.

    Parameters
    ----------
    corpus : Corpus
        From ``load_corpus``.
    styleguide : Styleguide or path, optional
        The house rules; the packaged ``styleguide.yml`` when None.
    as_of : date, optional
        The day staleness is judged on; today when None.
    jobs : int or None
        Worker processes for the per-article stage; None means all cores.
    client : dask.distributed.Client, optional
        Run the per-article stage on this Dask cluster instead.
    cache : path, optional
        Folder for per-article results keyed by content and style guide; a re-run audits
        only the articles that changed.
    progress : bool or None
        Progress bar on stderr; None shows it only when stderr is a terminal.

    The result is the same whatever ``jobs``, ``client`` and ``cache`` are.

    Examples
    --------
    >>> from stackwise_analysis import load_corpus, audit
    >>> result = audit(load_corpus("data/articles"))
    >>> result.at_or_above("blocker").query("audit == 'risk'")[["article_id", "check"]]
                  article_id               check
    ...  016_magnesium_sleep  risk.missing_label
    ...   032_stem_cell_knee  risk.unknown_label
    """
    from .compliance import stale_findings
    from .risk import risk_summary
    from .runner import run_stage

    sg = as_styleguide(styleguide)
    findings, readability = run_stage(_per_article_stage, corpus, sg, jobs=jobs, client=client,
                                      cache=cache, progress=progress)
    stale = stale_findings(corpus.articles, sg, as_of)
    if len(stale) == 0 and len(findings) and is_sorted(findings["article_id"]):
        # each article's findings come sorted from the stage; ids in order, so all are
        findings = findings.reset_index(drop=True)
    else:  # the stage's findings are typed and shortened already; stale ones too
        parts = [f for f in (findings, stale) if len(f)]
        findings = sort_findings(pd.concat(parts, ignore_index=True) if parts
                                 else make_findings([]))
    return Audit(
        findings=findings,
        readability=readability,
        risk_summary=risk_summary(corpus, readability, sg),
        scorecard=scorecard(corpus, findings, readability),
        styleguide=sg,
    )


__all__ = ["FINDINGS_COLUMNS", "Audit", "AuditFunction", "AuditPart", "audit", "audit_articles",
           "audit_functions", "scorecard"]
