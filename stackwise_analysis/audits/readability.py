"""Readability audit: counts per unit once, every formula a vectorised expression over them.

A *unit* is one paragraph, heading or bullet line, or the disclaimer: segmented before
counting, so a heading is never glued to the sentence after it. Each unit is counted the
way textstat 0.7.8 counts a text (our pinned reference), with two deliberate differences:

- hyphens and dashes split words ("gut-immune" is two words; textstat makes "gutimmune");
- a small medical lexicon corrects syllables the CMU dictionary and pyphen get wrong.

An intro's, a section's and an article's counts are sums of their units' counts, and their
scores come from those sums, so an article and its sections always agree. A unit with no
words has no scores (NA), where textstat would return 0.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..corpus import Corpus
from ..styleguide import Styleguide
from ..syllables import SyllableCounter, default_counter, easy_words
from .findings import finding_rows, make_findings

#: Count columns of the readability table, summed from units to sections and articles.
COUNT_COLUMNS = ("sentences", "words", "syllables", "polysyllables", "letters", "characters",
                 "difficult_words", "complex_words", "long_sentences")
#: Score columns, named as textstat names its functions.
SCORE_COLUMNS = ("flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog", "smog_index",
                 "coleman_liau_index", "automated_readability_index",
                 "dale_chall_readability_score", "words_per_sentence")

_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")
# textstat keeps an apostrophe only where a contraction follows it ("it's", "don't").
_LOOSE_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
_NON_WORD = re.compile(r"\W")
_SPACE = re.compile(r"\s")
_SENTENCE_END = re.compile(r"[.!?]+")
# A stretch between sentence ends counts as a sentence only from this many words on
# (textstat drops one- and two-word fragments such as "e.g." or "Dr.").
_MIN_SENTENCE_WORDS = 3


def _tokens(text: str) -> list[str]:
    return _PUNCTUATION.sub("", _LOOSE_APOSTROPHE.sub("", text)).split()


class UnitCounter:
    """Counts of one unit of text; reuse one instance so word look-ups are cached.

    Examples
    --------
    >>> c = UnitCounter(max_sentence_words=25)
    >>> row = c.count("Cold water wakes you up. It can also sting.")
    >>> row["sentences"], row["words"], row["syllables"]
    (2, 9, 11)
    """

    def __init__(self, max_sentence_words: int = 25,
                 syllables: SyllableCounter | None = None) -> None:
        self.limit = max_sentence_words
        self.syllables = syllables or default_counter()
        self._easy = easy_words()
        self._words: dict[str, tuple[int, int, int, int]] = {}

    def _word(self, word: str) -> tuple[int, int, int, int]:
        """(syllables, polysyllabic, not on the easy list, complex) for one token."""
        stats = self._words.get(word)
        if stats is None:
            syllables = self.syllables(word)
            difficult = word.lower() not in self._easy
            stats = (syllables, int(syllables >= 3), int(difficult),
                     int(difficult and syllables >= 3))
            self._words[word] = stats
        return stats

    def count(self, text: str) -> dict:
        """Counts for one unit, plus its longest sentence (text and words)."""
        text = _DASHES.sub(" ", text)
        words = _tokens(text)
        word = self._word
        stats = [word(w) for w in words]
        lengths = [len(_tokens(piece)) for piece in _SENTENCE_END.split(text)]
        sentences = [n for n in lengths if n >= _MIN_SENTENCE_WORDS]
        longest_at = int(np.argmax(lengths)) if lengths else 0
        pieces = _SENTENCE_END.split(text) if lengths else [""]
        return {
            "sentences": max(1, len(sentences)) if text else 0,
            "words": len(words),
            "syllables": sum(s[0] for s in stats),
            "polysyllables": sum(s[1] for s in stats),
            "letters": len(_NON_WORD.sub("", text)),
            "characters": len(_SPACE.sub("", text)),
            "difficult_words": sum(s[2] for s in stats),
            "complex_words": sum(s[3] for s in stats),
            "long_sentences": sum(1 for n in sentences if n > self.limit),
            "longest_sentence_words": max(lengths, default=0),
            "longest_sentence": pieces[longest_at].strip(),
        }


def scores(counts: pd.DataFrame) -> pd.DataFrame:
    """The readability formulas over count columns; NA where a unit has no words.

    Works on any frame with the ``COUNT_COLUMNS``: one row per unit, section or article.

    Examples
    --------
    >>> counts = pd.DataFrame({"sentences": [2], "words": [20], "syllables": [30],
    ...     "polysyllables": [3], "letters": [90], "characters": [95],
    ...     "difficult_words": [4], "complex_words": [2]})
    >>> round(float(scores(counts)["flesch_kincaid_grade"].iloc[0]), 2)
    5.01
    """
    c = counts.astype({col: "float64" for col in COUNT_COLUMNS if col in counts.columns})
    words = c["words"].where(c["words"] > 0)
    sentences = c["sentences"].where(c["sentences"] > 0)
    per_sentence = words / sentences
    syllables_per_word = c["syllables"] / words
    pct_difficult = 100 * c["difficult_words"] / words
    out = pd.DataFrame(index=counts.index)
    out["flesch_reading_ease"] = 206.835 - 1.015 * per_sentence - 84.6 * syllables_per_word
    out["flesch_kincaid_grade"] = 0.39 * per_sentence + 11.8 * syllables_per_word - 15.59
    out["gunning_fog"] = 0.4 * (per_sentence + 100 * c["complex_words"] / words)
    out["smog_index"] = 1.043 * np.sqrt(30 * c["polysyllables"] / sentences) + 3.1291
    out["coleman_liau_index"] = (0.058 * 100 * c["letters"] / words
                                 - 0.296 * 100 * sentences / words - 15.8)
    out["automated_readability_index"] = (4.71 * c["characters"] / words + 0.5 * per_sentence
                                          - 21.43)
    out["dale_chall_readability_score"] = (0.1579 * pct_difficult + 0.0496 * per_sentence
                                           + np.where(pct_difficult > 5, 3.6365, 0.0))
    out["words_per_sentence"] = per_sentence
    return out.where(words.notna()).astype("Float64")


# ------------------------------------------------------------------------------ units
UNIT_COLUMNS = {"article_id": "string", "scope": "string", "position": "Int64",
                "section": "string", "heading": "string", "line": "Int64", "text": "string"}


def text_units(corpus: Corpus) -> pd.DataFrame:
    """Every unit a reader reads, in document order: intro paragraphs, each section's heading
    and its paragraphs or bullet lines, and the disclaimer (title and label are not prose).

    Columns: ``article_id``, ``scope`` (``intro`` / ``section`` / ``disclaimer``),
    ``position`` (the section's position), ``section``, ``heading``, ``line``, ``text``.
    """
    rows: dict[str, list] = {c: [] for c in UNIT_COLUMNS}

    def add(article_id, scope, position, section, heading, line, text):
        for column, value in zip(UNIT_COLUMNS, (article_id, scope, position, section, heading,
                                                line, text), strict=True):
            rows[column].append(value)

    def add_lines(article_id, scope, position, section, heading, first_line, body):
        if first_line is None or first_line is pd.NA or not body:
            return
        for offset, line in enumerate(body.split("\n")):
            if line.strip():
                add(article_id, scope, position, section, heading, first_line + offset, line)

    articles = corpus.articles
    for article_id, intro, line in zip(articles["article_id"], articles["intro"],
                                       articles["intro_line"], strict=True):
        add_lines(article_id, "intro", None, None, None, line, intro)
    s = corpus.sections
    for article_id, position, section, heading, line, body_line, text in zip(
            s["article_id"], s["position"], s["section"], s["heading"], s["line"],
            s["body_line"], s["text"], strict=True):
        add(article_id, "section", position, section, heading, line, heading)
        add_lines(article_id, "section", position, section, heading, body_line, text)
    has = articles[articles["has_disclaimer"]]
    for article_id, text, line in zip(has["article_id"], has["disclaimer"],
                                      has["disclaimer_line"], strict=True):
        add(article_id, "disclaimer", None, None, None, line, text)
    units = pd.DataFrame({c: pd.Series(v, dtype=t) for (c, t), v in zip(
        UNIT_COLUMNS.items(), rows.values(), strict=True)})
    order = {a: i for i, a in enumerate(articles["article_id"])}
    rank = units["article_id"].map(order).astype("int64")
    return units.iloc[np.lexsort((units["line"].fillna(0).to_numpy(), rank.to_numpy()))
                      ].reset_index(drop=True)


def count_units(texts: Iterable[str], counter: UnitCounter) -> pd.DataFrame:
    """One row of counts per text (see ``UnitCounter.count``)."""
    return pd.DataFrame.from_records([counter.count(t) for t in texts])


# ------------------------------------------------------------------------------ table
def readability_table(corpus: Corpus, styleguide: Styleguide,
                      counter: UnitCounter | None = None) -> pd.DataFrame:
    """Counts and scores per article (``scope == "article"``, section NA), per intro, per
    section (``scope == "section"``, in document order) and for the disclaimer. An article's
    counts are the sums of its intro and sections; the house disclaimer has a row of its own
    but is not part of the article's score (its author cannot change it).

    ``smog_estimate`` marks rows below the style guide's ``smog_min_sentences`` (SMOG is
    defined on 30 sentences); ``too_short`` marks rows below ``min_words_for_grade``, on which
    no grade finding is raised.

    Examples
    --------
    >>> from stackwise_analysis import load_corpus, load_styleguide
    >>> table = readability_table(load_corpus("data/articles"), load_styleguide())  # doctest: +SKIP
    >>> table.query("scope == 'article'")[["article_id", "flesch_kincaid_grade"]]  # doctest: +SKIP
    """
    rules = styleguide["readability"]
    counter = counter or UnitCounter(rules["max_sentence_words"])
    units = text_units(corpus)
    counts = count_units(units["text"], counter)
    if counts.empty:
        counts = pd.DataFrame({c: pd.Series(dtype="int64") for c in COUNT_COLUMNS}).assign(
            longest_sentence_words=pd.Series(dtype="int64"),
            longest_sentence=pd.Series(dtype="object"))
    units = pd.concat([units.drop(columns="text"), counts], axis=1)
    units["scope_order"] = units["scope"].map({"intro": 0, "section": 1, "disclaimer": 2})
    # Where the longest sentence of a group sits: the unit with the most words in one sentence.
    units = units.sort_values(["longest_sentence_words"], ascending=False, kind="stable")
    keys = ["article_id", "scope_order", "position"]
    groups = units.groupby(keys, dropna=False, sort=False)
    parts = groups[list(COUNT_COLUMNS)].sum()
    parts = parts.join(groups[["scope", "section", "heading"]].first())
    parts = parts.join(groups["line"].min())
    parts = parts.join(groups[["longest_sentence", "longest_sentence_words"]].first())
    parts = parts.join(groups["line"].first().rename("longest_sentence_line"))
    parts = parts.reset_index()
    # The article is what its author wrote: intro and sections, not the house disclaimer.
    body = units[units["scope"] != "disclaimer"].groupby("article_id", sort=False)
    ids = pd.Index(corpus.articles["article_id"], name="article_id")
    whole = body[list(COUNT_COLUMNS)].sum().reindex(ids, fill_value=0)
    whole = whole.join(body[["longest_sentence", "longest_sentence_words"]].first())
    whole = whole.join(body["line"].first().rename("longest_sentence_line")).reset_index()
    whole = whole.assign(scope="article", scope_order=-1)
    table = pd.concat([whole, parts], ignore_index=True)
    order = {a: i for i, a in enumerate(corpus.articles["article_id"])}
    table["_rank"] = table["article_id"].map(order)
    table = table.sort_values(["_rank", "scope_order", "position"], na_position="first",
                              kind="stable").drop(columns=["_rank", "scope_order"])
    table = table.reset_index(drop=True)
    table = pd.concat([table, scores(table)], axis=1)
    table["smog_estimate"] = table["sentences"] < int(rules["smog_min_sentences"])
    table["too_short"] = table["words"] < int(rules["min_words_for_grade"])
    return table.astype(TABLE_DTYPES)[list(TABLE_DTYPES)]


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
def readability_findings(table: pd.DataFrame, styleguide: Styleguide) -> pd.DataFrame:
    """Grade findings for articles, intros and sections, and long-sentence findings.

    A row reading above ``warning_above_grade`` is ``readability.hard_to_read``; above
    ``info_above_grade`` it is ``readability.above_target``. Rows marked ``too_short`` and the
    disclaimer (house text, not the author's) are not judged. Evidence is the longest sentence
    of the part (the grade is in the message); ``line`` is that sentence's line.
    """
    rules = styleguide["readability"]
    metric = rules["grade_metric"]
    judged = table[(table["scope"] != "disclaimer")]
    unit = np.where(judged["scope"] == "article", "article",
                    np.where(judged["scope"] == "intro", "intro",
                             "\"" + judged["heading"].fillna("").astype(str) + "\" section"))
    judged = judged.assign(unit=unit)
    graded = judged[~judged["too_short"] & judged[metric].notna()]
    grade = graded[metric].astype("float64")
    parts = []
    for check, mask in (
            ("readability.hard_to_read", grade > rules["warning_above_grade"]),
            ("readability.above_target", (grade > rules["info_above_grade"])
             & (grade <= rules["warning_above_grade"]))):
        rows = graded[mask]
        parts.append(finding_rows(
            styleguide, check, rows["article_id"], section=rows["section"],
            evidence=rows["longest_sentence"], line=rows["longest_sentence_line"],
            fields={"unit": rows["unit"], "grade": rows[metric].astype("float64"),
                    "target": rules["target_grade"]}))
    # Long sentences are reported where they are (intro, section), not again per article.
    long = judged[(judged["long_sentences"] > 0) & (judged["scope"] != "article")]
    parts.append(finding_rows(
        styleguide, "readability.long_sentences", long["article_id"], section=long["section"],
        evidence=long["longest_sentence"], line=long["longest_sentence_line"],
        fields={"unit": long["unit"], "count": long["long_sentences"],
                "limit": rules["max_sentence_words"]}))
    return make_findings(parts)
