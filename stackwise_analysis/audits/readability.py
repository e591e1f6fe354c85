"""Readability audit: grades per article, intro and section, and sentences over the limit.

A *unit* is one paragraph line, heading or bullet line, or the disclaimer: segmented before
counting, so a heading is never glued to the sentence after it. ``text.counts`` counts each
unit; an intro's, a section's and an article's counts are sums of their units' counts, and
their scores come from those sums, so an article and its sections always agree. Headings are
not sentences: they are units (so a section with only a heading still has a row) but add
nothing to the counts the formulas use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..columns import positions
from ..corpus import Corpus
from ..styleguide import Styleguide, as_styleguide
from ..text.counts import COUNT_COLUMNS, SCORE_COLUMNS, UnitCounter, scores, shared_counter
from ..text.sentences import splitter_of
from .findings import AuditPart, finding_rows, make_findings
from .units import prose_lines

__all__ = ["COUNT_COLUMNS", "SCORE_COLUMNS", "UnitCounter", "readability_audit",
           "readability_findings", "readability_table", "scores"]

# ------------------------------------------------------------------------------ table
def _totals(units: pd.DataFrame, group: np.ndarray) -> pd.DataFrame:
    """Counts summed per ``group`` (consecutive ids), with where the longest sentence is:
    ``at`` (the unit's row), its words and line."""
    sums = pd.DataFrame(units[list(COUNT_COLUMNS)].to_numpy(), columns=list(COUNT_COLUMNS)
                        ).groupby(group).sum()
    at = pd.Series(units["longest_sentence_words"].to_numpy()).groupby(group).idxmax()
    sums["at"] = at.to_numpy()
    sums["longest_sentence_words"] = units["longest_sentence_words"].to_numpy()[at]
    sums["longest_sentence_line"] = units["line"].to_numpy()[at]
    return sums


def _counter(styleguide: Styleguide) -> UnitCounter:
    splitter = splitter_of(styleguide)
    limit = styleguide.rule("readability.long_sentence")["max_words"]
    return shared_counter(int(limit), splitter)


def _measure(corpus: Corpus, styleguide: Styleguide, counter: UnitCounter | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The readability table, and every sentence over the length limit (``article_id``,
    ``scope``, ``section``, ``heading``, ``line``, ``sentence``, ``words``)."""
    counter = counter or _counter(styleguide)
    units = prose_lines(corpus)
    texts = units["text"].tolist()
    counts, long = counter.count_sentences(texts)
    # Headings are units, so that a section with only a heading keeps its row, but they are
    # not sentences: nothing of theirs enters the formulas.
    counts.loc[units["is_heading"].to_numpy()] = 0
    long = long[~units["is_heading"].to_numpy()[long["unit"].to_numpy()]]
    units = pd.concat([units.drop(columns="text"), counts], axis=1)
    table = _table(corpus, styleguide, units, texts, counter)
    where = units.iloc[long["unit"]].reset_index(drop=True)
    sentences = pd.DataFrame({
        **{c: where[c] for c in ("article_id", "scope", "section", "heading", "line")},
        "sentence": pd.array([counter.sentence(texts[u], p) for u, p in
                              zip(long["unit"], long["piece"], strict=True)], dtype="string"),
        "words": long["words"].to_numpy()})
    return table, sentences


def _table(corpus: Corpus, styleguide: Styleguide, units: pd.DataFrame, texts: list[str],
           counter: UnitCounter) -> pd.DataFrame:
    """Parts (intro, sections, disclaimer) and whole articles from the counted units."""
    rules = styleguide["readability"]
    # Units arrive in document order, so each part (intro, a section, the disclaimer) is a
    # run of consecutive rows: a new part starts wherever article, scope or position change.
    key = units[["article_id", "scope", "position"]].fillna({"position": 0})
    starts = (key != key.shift()).fillna(True).any(axis=1).to_numpy()
    part_of = np.cumsum(starts) - 1
    parts = _totals(units, part_of)
    pieces = units["longest_piece"].to_numpy()[parts["at"]]
    parts["longest_sentence"] = [counter.sentence(texts[i], piece) if words else pd.NA
                                 for i, piece, words in zip(
                                     parts["at"], pieces, parts["longest_sentence_words"],
                                     strict=True)]
    first = units[starts].reset_index(drop=True)
    parts = pd.concat([first[["article_id", "scope", "position", "section", "heading", "line"]],
                       parts.reset_index(drop=True)], axis=1)

    # The article is what its author wrote: intro and sections, not the house disclaimer.
    # Its longest sentence is the longest of its parts', so the text is taken from there.
    body = (units["scope"] != "disclaimer").to_numpy()
    ids = units.loc[body, "article_id"]
    whole = _totals(units[body].reset_index(drop=True), pd.factorize(ids)[0])
    unit_part = pd.Series(part_of[body])
    sentence_of_part = dict(zip(parts.index, parts["longest_sentence"], strict=True))
    whole["longest_sentence"] = unit_part.iloc[whole["at"]].map(sentence_of_part).to_numpy()
    whole.insert(0, "article_id", ids.drop_duplicates().to_numpy())
    whole = whole.assign(scope="article")
    table = pd.concat([whole, parts], ignore_index=True).drop(columns="at")
    # Articles with no prose at all still get their (empty) article row.
    missing = corpus.articles.loc[~corpus.articles["article_id"].isin(whole["article_id"]),
                                  ["article_id"]]
    if len(missing):
        table = pd.concat([table, missing.assign(scope="article", **dict.fromkeys(
            COUNT_COLUMNS, 0))], ignore_index=True)
    rank = positions(table["article_id"], corpus.articles["article_id"])
    scope = table["scope"].map({"article": 0, "intro": 1, "section": 2, "disclaimer": 3})
    table = table.iloc[np.lexsort((table["position"].fillna(0).to_numpy(),
                                   scope.to_numpy(), rank))].reset_index(drop=True)
    table = pd.concat([table, scores(table)], axis=1)
    table["smog_estimate"] = table["sentences"] < int(rules["smog_min_sentences"])
    table["too_short"] = table["words"] < int(rules["min_words_for_grade"])
    return table.astype(TABLE_DTYPES)[list(TABLE_DTYPES)]


def readability_table(corpus: Corpus, styleguide: Styleguide,
                      counter: UnitCounter | None = None) -> pd.DataFrame:
    """Counts and scores per article (``scope == "article"``, section NA), per intro, per
    section (``scope == "section"``, in document order) and for the disclaimer. An article's
    counts are the sums of its intro and sections; the house disclaimer has a row of its own
    but is not part of the article's score (its author cannot change it). Headings count
    nothing: a section's scores measure its prose.

    ``smog_estimate`` marks rows below the style guide's ``smog_min_sentences`` (SMOG is
    defined on 30 sentences); ``too_short`` marks rows below ``min_words_for_grade``, on which
    no grade finding is raised.

    Examples
    --------
    >>> table = readability_table(corpus, styleguide)
    >>> table.query("scope == 'article'")["flesch_kincaid_grade"].between(0, 30).all()
    np.True_
    """
    return _measure(corpus, styleguide, counter)[0]


def readability_audit(corpus: Corpus, styleguide: Styleguide | Mapping | None = None, *,
                      as_of: dt.date | str | None = None) -> AuditPart:
    """The readability findings and table of ``corpus`` (``AuditPart(findings, table)``);
    ``as_of`` is taken for the common audit signature and not used.

    Examples
    --------
    >>> findings, table = readability_audit(corpus, styleguide)
    >>> set(findings["check"]) <= {"readability.hard_to_read", "readability.above_target",
    ...                            "readability.long_sentence"}
    True
    """
    sg = as_styleguide(styleguide)
    table, long_sentences = _measure(corpus, sg)
    return AuditPart(readability_findings(table, sg, long_sentences), table)


TABLE_DTYPES = {
    "article_id": "string", "scope": "string", "position": "Int64", "section": "string",
    "heading": "string", "line": "Int64",
    **{c: "Int64" for c in COUNT_COLUMNS},
    **{c: "Float64" for c in SCORE_COLUMNS},
    "smog_estimate": "bool", "too_short": "bool",
    "longest_sentence": "string", "longest_sentence_words": "Int64",
    "longest_sentence_line": "Int64",
}


# ------------------------------------------------------------------------------ findings
def readability_findings(table: pd.DataFrame, styleguide: Styleguide,
                         long_sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Grade findings for articles, intros and sections, and one finding per long sentence.

    A row reading above ``readability.hard_to_read``'s ``above_grade`` draws that rule; above
    ``readability.above_target``'s, that one. Rows marked ``too_short`` and the
    disclaimer (house text, not the author's) are not judged. Evidence is the longest sentence
    of the part (the grade is in the message); ``line`` is that sentence's line.

    Each sentence of ``long_sentences`` (from the same run as ``table``) outside the
    disclaimer is a ``readability.long_sentence`` finding quoting the whole sentence.
    """
    rules = styleguide["readability"]
    metric = rules["grade_metric"]
    judged = table[(table["scope"] != "disclaimer")]
    graded = judged[~judged["too_short"] & judged[metric].notna()]
    graded = graded.assign(unit=_unit_names(graded))
    grade = graded[metric].astype("float64")
    parts = []
    warning_above = styleguide.rule("readability.hard_to_read")["above_grade"]
    info_above = styleguide.rule("readability.above_target")["above_grade"]
    for check, mask in (
            ("readability.hard_to_read", grade > warning_above),
            ("readability.above_target", (grade > info_above) & (grade <= warning_above))):
        rows = graded[mask]
        parts.append(finding_rows(
            styleguide, check, rows["article_id"], section=rows["section"],
            evidence=rows["longest_sentence"], line=rows["longest_sentence_line"],
            fields={"unit": rows["unit"], "grade": rows[metric].astype("float64"),
                    "target": rules["target_grade"]}))
    if long_sentences is not None:
        long = long_sentences[long_sentences["scope"] != "disclaimer"]
        parts.append(finding_rows(
            styleguide, "readability.long_sentence", long["article_id"],
            section=long["section"], evidence=long["sentence"], line=long["line"],
            fields={"unit": _unit_names(long), "words": long["words"],
                    "limit": styleguide.rule("readability.long_sentence")["max_words"]}))
    return make_findings(parts)


def _unit_names(rows: pd.DataFrame) -> pd.Series:
    """How a message names each row's part: "article", "intro" or '"How It Works" section'."""
    return pd.Series(np.where(rows["scope"] == "article", "article",
                    np.where(rows["scope"] == "intro", "intro",
                             "\"" + rows["heading"].fillna("").astype(str) + "\" section")),
                     index=rows.index, dtype="string")
