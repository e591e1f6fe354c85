"""Risk audit: label findings and the label distribution, overall and cross-tabulated."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from ..claims import compile_lexicon, scan_texts
from ..constants import DEFAULT_GRADE_METRIC, NONE, RISK_LEVELS
from ..corpus import Corpus
from ..styleguide import Styleguide, as_styleguide
from .findings import AuditPart, finding_rows, make_findings
from .units import first_section, section_bodies, sentence_splitter

AUDIT = "risk"
SUMMARY_LEVEL_DTYPE = pd.CategoricalDtype([*RISK_LEVELS, NONE])
SUMMARY_COLUMNS = {"dimension": "string", "group": "string", "risk_level": SUMMARY_LEVEL_DTYPE,
                   "count": "Int64", "share": "Float64"}
#: Listed risks are counted one by one up to this many; more fall in one "N+" group.
LISTED_RISKS_CAP = 6
WORD_COUNT_EDGES = (0, 300, 600, 900, 1200, np.inf)
WORD_COUNT_LABELS = ("under 300", "300-599", "600-899", "900-1199", "1200+")
GRADE_EDGES = (-np.inf, 6, 8, 10, 12, np.inf)
GRADE_LABELS = ("6 or below", "6-8", "8-10", "10-12", "above 12")


def risk_audit(corpus: Corpus, styleguide: Styleguide | Mapping | None = None, *,
               as_of: dt.date | str | None = None) -> AuditPart:
    """Findings of the risk rules (``risk.*`` in the style guide).

    ``risk.missing_label`` (no label line), ``risk.unknown_label`` (a label line that is not
    a house level; the raw text is the evidence), ``risk.too_few_risks`` (fewer Health Risks
    bullets than the rule's ``min_risks`` asks of the article's level) and
    ``risk.understated`` (a Low article whose intro, sections or risk bullets name a serious
    harm from the rule's ``terms`` (plurals too), not negated by its ``negations``; one
    finding per harm term, at its first sentence).

    The audit function of the common shape (``stackwise_analysis.audits``): an
    ``AuditPart`` with findings and no table; ``as_of`` is not read (labels do not age).

    Examples
    --------
    >>> from stackwise_analysis import load_corpus, load_styleguide
    >>> corpus = load_corpus("data/articles")
    >>> sorted(set(risk_audit(corpus, load_styleguide()).findings["check"]))
    ['risk.missing_label', 'risk.too_few_risks', 'risk.understated', 'risk.unknown_label']
    """
    sg = as_styleguide(styleguide)
    return AuditPart(make_findings([rule(corpus, sg) for rule in RULES], audit=AUDIT))


def _missing_label(corpus: Corpus, sg: Styleguide) -> pd.DataFrame:
    articles = corpus.articles
    unlabelled = articles[articles["risk_label_raw"].isna()]
    return finding_rows(sg, "risk.missing_label", unlabelled["article_id"],
                        line=unlabelled["title_line"])


def _unknown_label(corpus: Corpus, sg: Styleguide) -> pd.DataFrame:
    articles = corpus.articles
    unknown = articles[articles["risk_label_raw"].notna() & articles["risk_level"].isna()]
    return finding_rows(sg, "risk.unknown_label", unknown["article_id"],
                        evidence=unknown["risk_label_raw"], line=unknown["risk_label_line"])


def _too_few_risks(corpus: Corpus, sg: Styleguide) -> pd.DataFrame:
    articles = corpus.articles
    minimum = articles["risk_level"].astype("string").map(
        sg.rule("risk.too_few_risks")["min_risks"]).astype("Int64")
    count = articles["risk_count"].fillna(0).astype("Int64")
    short = articles[(count < minimum).fillna(False)]
    heading = first_section(corpus.sections, "health_risks")["line"]
    return finding_rows(
        sg, "risk.too_few_risks", short["article_id"], section="health_risks",
        evidence=count[short.index].astype("string") + " listed",
        line=short["article_id"].map(heading).astype("Int64"),
        fields={"risk_level": short["risk_level"].astype("string"),
                "minimum": minimum[short.index], "count": count[short.index]})


def _understated(corpus: Corpus, sg: Styleguide) -> pd.DataFrame:
    articles = corpus.articles
    low = articles[(articles["risk_level"].astype("string") == "Low").fillna(False)]
    sections = corpus.sections
    units = section_bodies(dataclasses.replace(
        corpus, articles=low, sections=sections[sections["article_id"].isin(low["article_id"])]))
    rule = sg.rule("risk.understated")
    lexicon = compile_lexicon(rule["terms"], rule["negations"], rule["negation_window"],
                              plurals=True)
    hits = scan_texts(units["text"], lexicon, sentence_splitter(sg), by_line=units["by_line"])
    where = units.loc[hits["row"]].reset_index(drop=True)
    hits = hits.reset_index(drop=True).assign(
        article_id=where["article_id"], section=where["section"],
        line=where["line"] + hits["newlines"], key=hits["term"].str.lower())
    hits = hits.sort_values(["article_id", "line"], kind="stable").drop_duplicates(
        ["article_id", "key"]).reset_index(drop=True)
    return finding_rows(
        sg, "risk.understated", hits["article_id"], section=hits["section"],
        evidence=hits["sentence"], line=hits["line"], fields={"term": hits["term"]})


#: The risk rules, in the order their findings are gathered.
RULES: tuple[Callable[[Corpus, Styleguide], pd.DataFrame], ...] = (
    _missing_label, _unknown_label, _too_few_risks, _understated)


def risk_summary(corpus, readability: pd.DataFrame | None = None,
                 styleguide: Mapping | None = None) -> pd.DataFrame:
    """The risk-label distribution as one tidy table.

    One row per (``dimension``, ``group``, ``risk_level``) with ``count`` and ``share`` (of
    the group). ``dimension`` is ``overall`` (group ``all``), ``category`` (when the
    metadata has one), ``listed_risks`` (``0`` … ``5``, ``6+``), ``word_count_band`` and
    ``grade_band`` (when a readability table is given; its article rows' grade, the style
    guide's ``grade_metric``, ``flesch_kincaid_grade`` by default). Articles without a
    label count under the level ``(none)``, articles without a value under the group
    ``(none)``. Every observed group lists all four levels, zeros included.

    Examples
    --------
    >>> overall = risk_summary(corpus).query("dimension == 'overall'")
    >>> overall["risk_level"].tolist(), int(overall["count"].sum()) == len(corpus.articles)
    (['Low', 'Moderate', 'High', '(none)'], True)
    """
    articles = corpus.articles
    level = pd.Categorical(articles["risk_level"].astype("string").fillna(NONE),
                           dtype=SUMMARY_LEVEL_DTYPE)
    groups = {"overall": _banded(pd.Series("all", index=articles.index), ["all"])}
    if "category" in articles.columns:
        category = articles["category"].astype("string")
        groups["category"] = _banded(category, sorted(category.dropna().unique()))
    risks = articles["risk_count"].astype("Int64").clip(upper=LISTED_RISKS_CAP).astype("string")
    top = f"{LISTED_RISKS_CAP}+"
    groups["listed_risks"] = _banded(risks.replace(str(LISTED_RISKS_CAP), top),
                                     [*map(str, range(LISTED_RISKS_CAP)), top])
    groups["word_count_band"] = _cut(articles["word_count"], WORD_COUNT_EDGES,
                                     WORD_COUNT_LABELS, right=False)
    grade = article_grades(articles["article_id"], readability, styleguide)
    if grade is not None:
        groups["grade_band"] = _cut(grade, GRADE_EDGES, GRADE_LABELS, right=True)
    tables = [_tally(name, group, level) for name, group in groups.items()]
    return pd.concat(tables, ignore_index=True).astype(SUMMARY_COLUMNS)


def article_grades(article_ids: pd.Series, readability: pd.DataFrame | None,
                   styleguide: Mapping | None = None) -> pd.Series | None:
    """Each article's reading grade from a readability table, aligned with ``article_ids``;
    None without a table (or one without grades). Article rows are ``scope == "article"``
    (or, in a table without ``scope``, ``section`` NA)."""
    if readability is None:
        return None
    metric = DEFAULT_GRADE_METRIC
    if styleguide is not None:
        metric = as_styleguide(styleguide)["readability"].get("grade_metric", metric)
    if metric not in readability.columns:
        metric = DEFAULT_GRADE_METRIC
    if metric not in readability.columns or "article_id" not in readability.columns:
        return None
    is_article = (readability["scope"] == "article" if "scope" in readability.columns
                  else readability["section"].isna())
    # the two columns first: the rest may hold long text that need not be copied
    rows = readability.loc[is_article, ["article_id", metric]]
    by_id = rows.drop_duplicates("article_id").set_index("article_id")[metric]
    return article_ids.map(by_id).astype("Float64")


def _banded(values: pd.Series, order: list[str]) -> pd.Series:
    """``values`` as a categorical in ``order``, missing values as the group ``(none)``."""
    order = [*order, NONE] if NONE not in order else order
    return pd.Series(pd.Categorical(values.astype("string").fillna(NONE), categories=order),
                     index=values.index)


def _cut(values: pd.Series, edges: tuple, labels: tuple[str, ...], *, right: bool) -> pd.Series:
    bands = pd.cut(values.astype("float64"), bins=list(edges), labels=list(labels), right=right)
    return _banded(bands.astype("string"), list(labels))


def _tally(dimension: str, group: pd.Series, level: pd.Categorical) -> pd.DataFrame:
    """Counts and within-group shares of every level for every observed group."""
    frame = pd.DataFrame({"group": group.array, "risk_level": level})
    counts = frame.groupby(["group", "risk_level"], observed=False).size().rename("count")
    counts = counts.reset_index()
    totals = counts.groupby("group", observed=False)["count"].transform("sum")
    counts = counts[totals > 0].assign(share=lambda t: t["count"] / totals[t.index])
    counts.insert(0, "dimension", dimension)
    counts["group"] = counts["group"].astype("string")
    return counts
