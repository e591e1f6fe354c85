"""Small aggregate tables the notebooks show, the plots draw and the exports write."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .constants import AUDITS, DEFAULT_GRADE_METRIC, NONE, RISK_LEVELS, SECTION_KEYS, SEVERITIES

#: How a house section stands in one article, best to worst.
SECTION_STATES: tuple[str, ...] = ("present", "short", "empty", "missing")
SECTION_STATE_DTYPE = pd.CategoricalDtype(list(SECTION_STATES), ordered=True)
#: The target band is the ``TARGET_BAND_WIDTH`` grades up to the style guide's target grade
#: (grade 6 to 8 for the house target of 8).
TARGET_BAND_WIDTH = 2


def _guide(styleguide) -> Mapping:
    from .styleguide import as_styleguide

    return as_styleguide(styleguide)


# ------------------------------------------------------------------------------ corpus
def corpus_overview(corpus) -> pd.DataFrame:
    """Headline counts of a loaded corpus as a two-column table (what, value).

    Examples
    --------
    >>> corpus_overview(corpus)["what"].tolist()[:3]
    ['articles read', 'files not read', 'sections']
    """
    articles = corpus.articles
    words = articles["word_count"].astype("Float64")
    rows = [
        ("articles read", len(articles)),
        ("files not read", len(corpus.errors)),
        ("sections", len(corpus.sections)),
        ("listed health risks", len(corpus.risks)),
        ("articles without a disclaimer", int((~articles["has_disclaimer"]).sum())),
        ("median words per article", int(words.median()) if words.notna().any() else 0),
    ]
    return pd.DataFrame(rows, columns=["what", "value"]).astype({"what": "string",
                                                                 "value": "Int64"})


def counts_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows per value of ``column`` (missing values as ``(none)``), most frequent first.

    >>> counts_by(pd.DataFrame({"format": ["text", "text", "html"]}), "format")["count"].tolist()
    [2, 1]
    """
    if column not in frame.columns:
        return pd.DataFrame({column: pd.Series(dtype="string"), "count": pd.Series(dtype="Int64")})
    values = frame[column].astype("string").fillna(NONE)
    counts = values.value_counts().rename_axis(column).reset_index(name="count")
    return counts.astype({"count": "Int64"})


def shortest_articles(articles: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` shortest articles, often truncated exports or stubs.

    >>> shortest_articles(corpus.articles, 5)["word_count"].is_monotonic_increasing
    True
    """
    columns = [c for c in ("article_id", "title", "word_count", "section_count", "risk_count",
                           "has_disclaimer") if c in articles.columns]
    return (articles.sort_values(["word_count", "article_id"], kind="stable")[columns]
            .head(n).reset_index(drop=True))


def article_table(corpus, scorecard: pd.DataFrame) -> pd.DataFrame:
    """One row per article: its facts (no body text) and its findings counts and status.

    This is ``articles.csv`` of a report run and the Articles sheet of ``findings.xlsx``.

    >>> article_table(corpus, result.scorecard).columns[:3].tolist()
    ['article_id', 'path', 'format']
    """
    text_columns = {"intro", "disclaimer"}
    facts = corpus.articles[[c for c in corpus.articles.columns if c not in text_columns]]
    extra = [c for c in scorecard.columns if c not in facts.columns]
    return facts.merge(scorecard[["article_id", *extra]], on="article_id", how="left")


# ------------------------------------------------------------------------------ risk
def label_counts(risk_summary: pd.DataFrame) -> pd.DataFrame:
    """Articles per risk level (``(none)`` for no or an unknown label) with their share.

    >>> label_counts(result.risk_summary)["risk_level"].tolist()
    ['Low', 'Moderate', 'High', '(none)']
    """
    overall = risk_summary[risk_summary["dimension"] == "overall"]
    table = overall[["risk_level", "count", "share"]].reset_index(drop=True)
    return table


def risk_matrix(risk_summary: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Counts of one ``risk_summary`` dimension as a level x group matrix.

    Rows are the risk levels (Low, Moderate, High, ``(none)``), columns the groups in the
    summary's order (e.g. listed risks ``0`` ... ``6+``, or the categories).

    >>> risk_matrix(result.risk_summary, "listed_risks").index.tolist()
    ['Low', 'Moderate', 'High', '(none)']
    """
    part = risk_summary[risk_summary["dimension"] == dimension]
    if part.empty:
        return pd.DataFrame(index=pd.Index([*RISK_LEVELS, NONE], name="risk_level"))
    groups = list(dict.fromkeys(part["group"]))
    if dimension == "listed_risks":
        groups = _all_counts(groups)
    matrix = part.pivot_table(index="risk_level", columns="group", values="count",
                              aggfunc="sum", observed=False, fill_value=0)
    matrix = matrix.reindex(index=[*RISK_LEVELS, NONE], columns=groups, fill_value=0)
    matrix.index = pd.Index(matrix.index.astype(str), name="risk_level")
    matrix.columns = pd.Index(matrix.columns.astype(str), name=dimension)
    return matrix.astype("int64")


def _all_counts(groups: list[str]) -> list[str]:
    """Listed-risk groups ``0`` up to the largest observed (``N+`` kept last), no gaps."""
    capped = [g for g in groups if g.endswith("+")]
    numbers = [int(g) for g in groups if g.isdigit()]
    top = int(capped[0][:-1]) - 1 if capped else max(numbers, default=0)
    return [*map(str, range(top + 1)), *capped]


def minimum_risks(styleguide=None) -> dict[str, int]:
    """The fewest listed risks the style guide asks of each level."""
    minimum = _guide(styleguide).rule("risk.too_few_risks")["min_risks"]
    return {str(k): int(v) for k, v in minimum.items()}


# ------------------------------------------------------------------------------ completeness
def completeness_matrix(corpus, styleguide=None) -> pd.DataFrame:
    """Article x house section: ``present``, ``short`` (under the section's minimum words),
    ``empty`` (heading without text) or ``missing``.

    One row per article (index ``article_id``), one column per section key in house order;
    values are an ordered categorical, best to worst. A repeated section counts once, by its
    longest occurrence.

    >>> completeness_matrix(corpus).loc["013_fecal_microbiota_transplant", "science"]
    'missing'
    """
    guide = _guide(styleguide)
    keys = [s["key"] for s in guide["template"]["sections"]] or list(SECTION_KEYS)
    minimum = pd.Series({s["key"]: s.get("min_words", 0) for s in guide["template"]["sections"]})
    sections = corpus.sections.dropna(subset=["section"])
    words = (sections.groupby(["article_id", "section"], observed=True)["word_count"].max()
             .unstack("section"))
    ids = pd.Index(corpus.articles["article_id"], name="article_id")
    words = words.reindex(index=ids, columns=keys).astype("Float64")
    floor = minimum.reindex(keys).fillna(0).to_numpy()
    values = words.to_numpy(dtype="float64", na_value=np.nan)
    state = np.select(
        [np.isnan(values), values == 0, values < floor],
        ["missing", "empty", "short"], default="present")
    matrix = pd.DataFrame(state, index=ids, columns=pd.Index(keys, name="section"))
    return matrix.astype(SECTION_STATE_DTYPE)


def section_status_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Articles per section and state (rows: sections in house order; columns: states).

    >>> section_status_counts(completeness_matrix(corpus)).columns.tolist()
    ['present', 'short', 'empty', 'missing']
    """
    long = matrix.melt(var_name="section", value_name="state", ignore_index=True)
    counts = pd.crosstab(pd.Categorical(long["section"], categories=list(matrix.columns)),
                         long["state"].astype(SECTION_STATE_DTYPE), dropna=False)
    counts = counts.reindex(columns=list(SECTION_STATES), fill_value=0)
    counts.index.name, counts.columns.name = "section", "state"
    return counts.astype("int64")


def gap_score(matrix: pd.DataFrame) -> pd.Series:
    """Per article, how far from complete: 3 per missing, 2 per empty, 1 per short section."""
    codes = np.stack([matrix[c].cat.codes.to_numpy() for c in matrix.columns], axis=1)
    return pd.Series(codes.sum(axis=1), index=matrix.index, name="gaps")


# ------------------------------------------------------------------------------ readability
def grade_metric(styleguide=None) -> str:
    """The score column findings judge reading grade on (style guide ``grade_metric``)."""
    return str(_guide(styleguide)["readability"].get("grade_metric", DEFAULT_GRADE_METRIC))


def target_band(styleguide=None) -> tuple[float, float]:
    """The grade band patient material should read at, e.g. ``(6.0, 8.0)``."""
    target = float(_guide(styleguide)["readability"]["target_grade"])
    return (target - TARGET_BAND_WIDTH, target)


def warning_grade(styleguide=None) -> float:
    """The grade above which text draws a warning (``readability.hard_to_read``)."""
    return float(_guide(styleguide).rule("readability.hard_to_read")["above_grade"])


def article_rows(readability: pd.DataFrame) -> pd.DataFrame:
    """The whole-article rows of a readability table."""
    if "scope" in readability.columns:
        return readability[readability["scope"] == "article"]
    return readability[readability["section"].isna()]


def grade_summary(readability: pd.DataFrame, styleguide=None) -> pd.DataFrame:
    """Articles below, in, and above the target band, and at warning grade or worse.

    >>> grade_summary(result.readability)["band"].tolist()
    ['below grade 6', 'grade 6 to 8 (target)', 'above grade 8', 'above grade 10 (warning)']
    """
    guide = _guide(styleguide)
    grades = article_rows(readability)[grade_metric(guide)].astype("Float64").dropna()
    low, high = target_band(guide)
    warning = warning_grade(guide)
    rows = [
        (f"below grade {low:g}", int((grades < low).sum())),
        (f"grade {low:g} to {high:g} (target)", int(((grades >= low) & (grades <= high)).sum())),
        (f"above grade {high:g}", int((grades > high).sum())),
        (f"above grade {warning:g} (warning)", int((grades > warning).sum())),
    ]
    return pd.DataFrame(rows, columns=["band", "articles"]).astype({"band": "string",
                                                                    "articles": "Int64"})


def section_grades(readability: pd.DataFrame, styleguide=None) -> pd.DataFrame:
    """Median, 90th percentile and count of the grade per part (intro and each section).

    >>> section_grades(result.readability).columns.tolist()
    ['part', 'median', 'p90', 'units']
    """
    metric = grade_metric(styleguide)
    parts = readability.drop(article_rows(readability).index)
    if "scope" in parts.columns:  # the house disclaimer is nobody's writing to fix
        parts = parts[parts["scope"] != "disclaimer"]
    if parts.empty:
        return pd.DataFrame(columns=["part", "median", "p90", "units"])
    label = parts["section"].astype("string")
    if "scope" in parts.columns:
        label = label.fillna(parts["scope"].astype("string").replace(
            {"section": "other heading"}))
    grade = parts[metric].astype("float64")
    order = ["intro", *SECTION_KEYS]
    table = (grade.groupby(label.fillna(NONE).to_numpy())
             .agg(median="median", p90=lambda s: s.quantile(0.9), units="count"))
    table = table.reindex([p for p in order if p in table.index]
                          + sorted(set(table.index) - set(order)))
    return table.rename_axis("part").reset_index()


def hardest_articles(readability: pd.DataFrame, articles: pd.DataFrame | None = None,
                     styleguide=None, n: int = 15) -> pd.DataFrame:
    """The ``n`` articles with the highest reading grade, with their counts.

    >>> hardest_articles(result.readability, corpus.articles, n=3)["grade"].is_monotonic_decreasing
    True
    """
    metric = grade_metric(styleguide)
    rows = article_rows(readability)
    keep = [c for c in ("article_id", metric, "sentences", "words", "polysyllables")
            if c in rows.columns]
    top = rows[keep].sort_values([metric, "article_id"], ascending=[False, True],
                                 na_position="last", kind="stable").head(n)
    if articles is not None and "title" in articles.columns:
        top = top.merge(articles[["article_id", "title"]], on="article_id", how="left")
        top = top[["article_id", "title", *keep[1:]]]
    top = top.rename(columns={metric: "grade"}).reset_index(drop=True)
    top["grade"] = top["grade"].round(1)
    return top


# ------------------------------------------------------------------------------ findings
def findings_table(findings: pd.DataFrame, audit: str | None = None, *,
                   min_severity: str = "info", limit: int | None = None,
                   new_first: bool = False, styleguide=None) -> pd.DataFrame:
    """Findings a reviewer reads: one audit (or all) at ``min_severity`` or worse, worst
    first, then by article and line; at most ``limit`` rows. With a ``styleguide``, a
    ``why`` column says why each rule exists (its description).

    In a report run findings carry ``status`` (``new`` since the previous run, or ``open``):
    it is shown, and ``new_first`` puts the new ones before the rest.

    >>> findings_table(result.findings, "completeness", min_severity="warning")["severity"][0]
    'blocker'
    """
    keep = np.flatnonzero(_selected(findings, audit, min_severity))
    # order by the light columns, then take the rows shown from the heavy ones (message,
    # evidence) once: at 10^6 findings, filtering and sorting whole rows cost seconds
    def of_kept(column: str) -> pd.Series:
        return findings[column].iloc[keep].reset_index(drop=True)

    light = {"_rank": (-findings["severity"].cat.codes.to_numpy()[keep]
                       if hasattr(findings["severity"], "cat") else np.zeros(len(keep))),
             **{k: of_kept(k) for k in ("article_id", "line", "check")
                if k in findings.columns}}
    keys = list(light)
    if new_first and "status" in findings.columns:
        light["_old"] = (of_kept("status").astype("string") != "new").fillna(True)
        keys.insert(0, "_old")
    order = pd.DataFrame(light).sort_values(keys, na_position="last", kind="stable").index
    rows = keep[order.to_numpy()]
    rows = rows if limit is None else rows[:limit]
    columns = ["article_id", "severity", "status", "check", "section", "line", "message",
               "evidence"]
    part = findings.iloc[rows][[c for c in columns if c in findings.columns]].reset_index(
        drop=True)
    if styleguide is not None:
        part["why"] = _rule_column(part["check"], styleguide, "description")
    return part


def _selected(findings: pd.DataFrame, audit: str | None, min_severity: str) -> np.ndarray:
    chosen = (findings["severity"] >= min_severity).to_numpy(dtype=bool, na_value=False)
    if audit is not None:
        chosen = chosen & (findings["audit"] == audit).to_numpy(dtype=bool, na_value=False)
    return chosen


def count_findings(findings: pd.DataFrame, audit: str | None = None, *,
                   min_severity: str = "info") -> int:
    """How many rows ``findings_table`` would list without a ``limit``.

    >>> count_findings(result.findings, "completeness") == len(
    ...     findings_table(result.findings, "completeness"))
    True
    """
    return int(_selected(findings, audit, min_severity).sum())


def _rule_column(checks: pd.Series, styleguide, column: str) -> pd.Series:
    """``column`` of each check's rule record (NA for a check the style guide lacks)."""
    table = _guide(styleguide).rule_table().set_index("id")[column]
    return checks.astype("string").map(table).astype("string")


def severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per audit (rows, report order) and severity (columns), zeros included.

    >>> severity_counts(result.findings).columns.tolist()
    ['info', 'warning', 'blocker']
    """
    table = pd.crosstab(pd.Categorical(findings["audit"], categories=list(AUDITS)),
                        pd.Categorical(findings["severity"], categories=list(SEVERITIES)),
                        dropna=False)
    table.index.name, table.columns.name = "audit", "severity"
    return table.reindex(index=list(AUDITS), columns=list(SEVERITIES), fill_value=0).astype("int64")


def findings_by_rule(findings: pd.DataFrame, styleguide=None) -> pd.DataFrame:
    """Per rule: its audit, a count per severity and the total, most frequent first; with a
    ``styleguide``, the rule's ``description`` and ``link`` too (why the rule exists).

    >>> findings_by_rule(result.findings, styleguide).columns.tolist()
    ['check', 'audit', 'info', 'warning', 'blocker', 'total', 'description', 'link']
    """
    counts = pd.crosstab(findings["check"].astype("string").fillna(NONE),
                         pd.Categorical(findings["severity"], categories=list(SEVERITIES)),
                         dropna=False)
    counts = counts.reindex(columns=list(SEVERITIES), fill_value=0).astype("int64")
    counts.columns = list(SEVERITIES)
    counts["total"] = counts.sum(axis=1)
    audit_of = findings.groupby(findings["check"].astype("string").fillna(NONE))["audit"].first()
    counts.insert(0, "audit", audit_of.reindex(counts.index).astype("string"))
    counts = counts.rename_axis("check").reset_index()
    if styleguide is not None:
        counts["description"] = _rule_column(counts["check"], styleguide, "description")
        counts["link"] = _rule_column(counts["check"], styleguide, "link")
    return counts.sort_values(["total", "check"], ascending=[False, True],
                              ignore_index=True)


def worst_first(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows ordered most blockers first, then warnings, then infos; ties by id
    (stable). Review pages and the index's worst-articles list share this order.

    >>> worst_first(result.scorecard)["blocker"].is_monotonic_decreasing
    True
    """
    return scorecard.sort_values(["blocker", "warning", "info", "article_id"],
                                 ascending=[False, False, False, True], kind="stable")


def worst_articles(scorecard: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` articles with the most serious findings: most blockers, then warnings,
    then infos; ties by article id. Articles without findings are left out.

    >>> worst_articles(result.scorecard, 5)["blocker"].is_monotonic_decreasing
    True
    """
    columns = [c for c in ("article_id", "title", "risk_level", "blocker", "warning", "info",
                           "grade", "status") if c in scorecard.columns]
    card = scorecard[columns]
    card = card[(card[list(SEVERITIES)].sum(axis=1) > 0)]
    card = worst_first(card).head(n).reset_index(drop=True)
    if "grade" in card.columns:
        card["grade"] = card["grade"].round(1)
    return card


#: The run history as a person reads it: column -> heading.
HISTORY_HEADINGS = {"run_id": "Run", "started": "Started", "articles": "Articles",
                    "blockers": "Blockers", "warnings": "Warnings", "new": "New",
                    "fixed": "Fixed", "exit_code": "Exit Code"}


def history_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Recorded runs, oldest first, under house headings; the start time to the minute (UTC).

    ``runs`` is ``review.history.runs(path)`` (or ``QUERIES["runs"]``).

    >>> history_table(history.runs("reports/history.duckdb"))  # doctest: +SKIP
    """
    table = runs[[c for c in HISTORY_HEADINGS if c in runs.columns]].copy()
    if "started" in table.columns:
        started = pd.to_datetime(table["started"], utc=True)
        table["started"] = started.dt.strftime("%Y-%m-%d %H:%M")
    return table.rename(columns=HISTORY_HEADINGS).reset_index(drop=True)


#: One article's findings run by run, as a person reads them.
ARTICLE_HISTORY_HEADINGS = {"started": "Run Started", "check": "Rule", "severity": "Severity",
                            "status": "Status", "section": "Section", "line": "Line",
                            "evidence": "Evidence"}


def article_history(article: pd.DataFrame) -> pd.DataFrame:
    """One article's findings in every run (``QUERIES["article"]`` of ``review.history``),
    oldest run first, under house headings.

    >>> article_history(con.execute(history.QUERIES["article"], ["008_iv_drips"]).df())
    ... # doctest: +SKIP
    """
    table = article[[c for c in ARTICLE_HISTORY_HEADINGS if c in article.columns]].copy()
    if "started" in table.columns:
        table["started"] = pd.to_datetime(table["started"], utc=True).dt.strftime(
            "%Y-%m-%d %H:%M")
    return table.rename(columns=ARTICLE_HISTORY_HEADINGS).reset_index(drop=True)


def waived_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings reviewers waived (status ``waived``), worst first, with who decided what,
    why and until when; empty when no waiver applied (or outside a report run).

    >>> waived_findings(result.findings).columns.tolist()[4:8]
    ['decision', 'reviewer', 'reason', 'expires']
    """
    columns = ["article_id", "severity", "check", "line", "decision", "reviewer", "reason",
               "expires", "evidence"]
    if "status" not in findings.columns:
        return pd.DataFrame(columns=columns)
    part = findings[findings["status"].astype("string") == "waived"]
    part = part.assign(_rank=-part["severity"].cat.codes if hasattr(part["severity"], "cat")
                       else 0)
    part = part.sort_values(["_rank", "article_id", "line"], kind="stable")
    return part.reindex(columns=columns).reset_index(drop=True)


__all__ = ["SECTION_STATES", "article_rows", "article_table", "completeness_matrix",
           "history_table", "article_history",
           "corpus_overview", "counts_by", "findings_by_rule", "findings_table", "gap_score",
           "grade_metric", "grade_summary", "hardest_articles", "label_counts",
           "minimum_risks", "risk_matrix", "section_grades", "section_status_counts",
           "severity_counts", "shortest_articles", "target_band", "warning_grade",
           "worst_articles", "worst_first",
           "waived_findings"]
