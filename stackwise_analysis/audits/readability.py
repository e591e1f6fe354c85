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
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import positions
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

_DASHES = "[-\u2010-\u2015\u2212]"  # RE2 syntax (pyarrow): hyphens, dashes, minus
_SENTENCE_END = re.compile(r"[.!?]+")
# textstat keeps an apostrophe only where a contraction follows it ("it's", "don't").
_LOOSE_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
_NOT_WORD = re.compile(r"\W")
# A stretch between sentence ends counts as a sentence only from this many words on
# (textstat drops one- and two-word fragments such as "e.g." or "Dr.").
_MIN_SENTENCE_WORDS = 3
_TOKEN_COLUMNS = ("words", "syllables", "polysyllables", "difficult_words", "complex_words",
                  "letters", "characters")


class UnitCounter:
    """Counts units of text the way textstat counts a text, a whole batch at a time.

    The batch is split into whitespace tokens by pyarrow; everything textstat counts is a
    sum over those tokens, so each distinct token is cleaned and looked up once (per
    counter: reuse one instance across batches) and the sums per unit are array operations.

    Examples
    --------
    >>> c = UnitCounter(max_sentence_words=25)
    >>> row = c.count("Cold water wakes you up. It can also sting.")
    >>> row["sentences"], row["words"], row["syllables"]
    (2, 9, 11)
    """

    def __init__(self, max_sentence_words: int = 25,
                 syllables: SyllableCounter | None = None, *,
                 tokens: dict[str, tuple[int, ...]] | None = None,
                 learned: dict[str, tuple[int, ...]] | None = None) -> None:
        self.limit = max_sentence_words
        self.syllables = syllables or default_counter()
        self._easy = easy_words()
        self._words: dict[str, tuple[int, int, int, int]] = {}
        # token -> statistics; ``learned`` also gets every one this counter works out
        self._tokens: dict[str, tuple[int, ...]] = {} if tokens is None else tokens
        self._learned = learned

    def _word(self, word: str) -> tuple[int, int, int, int]:
        """(syllables, polysyllabic, not on the easy list, complex) for one word."""
        stats = self._words.get(word)
        if stats is None:
            syllables = self.syllables(word)
            difficult = word.lower() not in self._easy
            stats = (syllables, int(syllables >= 3), int(difficult),
                     int(difficult and syllables >= 3))
            self._words[word] = stats
        return stats

    def _token(self, raw: str) -> tuple[int, ...]:
        """``_TOKEN_COLUMNS`` for one token as written ("joint.", "it's", "2.5"), then how it
        splits at sentence ends: the number of ends in it and the words before the first
        and after the last."""
        stats = self._tokens.get(raw)
        if stats is None:
            words = _clean(raw)
            sums = [sum(col) for col in zip(*map(self._word, words), strict=True)] or [0] * 4
            pieces = _SENTENCE_END.split(raw)
            before = len(_clean(pieces[0])) if len(pieces) > 1 else len(words)
            after = len(_clean(pieces[-1])) if len(pieces) > 1 else 0
            stats = (len(words), *sums, len(_NOT_WORD.sub("", raw)), len("".join(raw.split())),
                     len(pieces) - 1, before, after)
            self._tokens[raw] = stats
            if self._learned is not None:
                self._learned[raw] = stats
        return stats

    def count(self, text: str) -> dict:
        """Counts for one unit, plus its longest sentence (text and words)."""
        row = self.count_many([text]).iloc[0].to_dict()
        row["longest_sentence"] = longest_sentence(text, row.pop("longest_piece"))
        return row

    def count_many(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row of counts per text: ``COUNT_COLUMNS``, ``longest_sentence_words`` and
        ``longest_piece`` (which stretch of ``longest_sentence`` holds the longest)."""
        n = len(texts)
        columns_out = [*COUNT_COLUMNS, "longest_sentence_words", "longest_piece"]
        if n == 0:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns_out})
        raw = pa.array(texts, type=pa.large_string())
        # pyarrow splits at ASCII whitespace; any other space is handled per token above.
        lists = pc.ascii_split_whitespace(pc.replace_substring_regex(raw, _DASHES, " "))
        starts = lists.offsets.to_numpy()  # every text has at least one (maybe empty) token
        encoded = pc.dictionary_encode(lists.flatten())
        token = encoded.indices.to_numpy()
        # One row per statistic, one column per distinct token; int32 halves the memory
        # traffic of gathering a row per token, which is most of the cost here.
        table = np.array([self._token(t) for t in encoded.dictionary.to_pylist()],
                         dtype=np.int32).reshape(-1, len(_TOKEN_COLUMNS) + 3).T.copy()
        columns = {name: np.add.reduceat(table[i][token], starts[:-1]).astype(np.int64)
                   for i, name in enumerate(_TOKEN_COLUMNS)}
        ends_of, before_of, after_of = table[-3], table[-2], table[-1]

        # Sentences are the stretches between sentence ends. A token with ends in it closes
        # the stretch it is in with the words before its first end ("joint." closes with
        # "joint") and opens the stretch after its last end with the words after it ("2.5"),
        # leaving any stretch between its ends empty. So a stretch's words are a difference
        # of running word totals between the tokens that close stretches.
        words_before = np.zeros(len(token) + 1, dtype=np.int64)
        np.cumsum(before_of[token], out=words_before[1:])
        enders = np.flatnonzero(ends_of[token] > 0)
        ender_unit = np.searchsorted(starts, enders, side="right") - 1
        # Closing events in document order: every ender, then the end of each unit.
        close = np.concatenate([enders + 1, starts[1:]])
        event_unit = np.concatenate([ender_unit, np.arange(n)])
        order = np.argsort(2 * close + (np.arange(len(close)) >= len(enders)), kind="stable")
        close, event_unit = close[order], event_unit[order]
        is_ender = order < len(enders)
        event_token = np.where(is_ender, token[np.minimum(close - 1, len(token) - 1)], 0)
        ends = np.where(is_ender, ends_of[event_token], 1)
        carry = np.where(is_ender, after_of[event_token], 0)
        same_unit = np.r_[False, event_unit[1:] == event_unit[:-1]]
        opened = np.where(same_unit, np.r_[0, close[:-1]], starts[event_unit])
        closed_words = (words_before[close] - words_before[opened]
                        + np.where(same_unit, np.r_[0, carry[:-1]], 0))
        # An ender with k ends closes one stretch and leaves k - 1 empty ones behind it.
        first_piece = np.cumsum(ends) - ends
        n_pieces = int(ends.sum())
        piece_words = np.zeros(n_pieces, dtype=np.int64)
        piece_words[first_piece] = closed_words
        piece_unit = np.repeat(event_unit, ends)
        pieces_per_unit = np.bincount(piece_unit, minlength=n)
        piece_base = np.cumsum(pieces_per_unit) - pieces_per_unit

        is_sentence = piece_words >= _MIN_SENTENCE_WORDS
        sentences = np.bincount(piece_unit[is_sentence], minlength=n)
        has_text = pc.greater(pc.utf8_length(raw), 0).to_numpy(zero_copy_only=False)
        columns["sentences"] = np.where(has_text, np.maximum(sentences, 1), 0)
        columns["long_sentences"] = np.bincount(
            piece_unit[is_sentence & (piece_words > self.limit)], minlength=n)
        longest = np.zeros(n, dtype=np.int64)
        np.maximum.at(longest, piece_unit, piece_words)
        # The first stretch of each unit that reaches the unit's longest, as a local index.
        reach = np.flatnonzero(piece_words == longest[piece_unit])
        units, first = np.unique(piece_unit[reach], return_index=True)
        local = np.zeros(n, dtype=np.int64)
        local[units] = reach[first] - piece_base[units]
        columns["longest_sentence_words"] = longest
        columns["longest_piece"] = local
        return pd.DataFrame(columns)[columns_out].astype("int64")


def _clean(text: str) -> list[str]:
    """Words as textstat 0.7.8 lists them: punctuation out, contraction apostrophes kept."""
    return _PUNCTUATION.sub("", _LOOSE_APOSTROPHE.sub("", text)).split()


# Token statistics do not depend on the sentence limit: every shared counter of a process
# uses one table, which ``remember_tokens`` can fill from an earlier run.
_SHARED_TOKENS: dict[str, tuple[int, ...]] = {}
_LEARNED_TOKENS: dict[str, tuple[int, ...]] = {}


@cache
def shared_counter(max_sentence_words: int) -> UnitCounter:
    """One counter per process and limit, so its word cache spans every chunk it counts."""
    return UnitCounter(max_sentence_words, tokens=_SHARED_TOKENS, learned=_LEARNED_TOKENS)


def take_learned_tokens() -> dict[str, tuple[int, ...]]:
    """The token statistics the shared counters of this process worked out since the last
    call: what a worker hands back so that a later run need not work them out again."""
    learned = dict(_LEARNED_TOKENS)
    _LEARNED_TOKENS.clear()
    return learned


def known_tokens() -> dict[str, tuple[int, ...]]:
    """Every token statistic the shared counters of this process hold."""
    return dict(_SHARED_TOKENS)


def remember_tokens(tokens: dict[str, Sequence[int]]) -> None:
    """Give the shared counters statistics worked out earlier (``take_learned_tokens``).

    They only spare work: a token counts the same whether remembered or worked out
    (tests/test_audit_readability.py), as long as the syllable sources are the same, which
    the audit cache that keeps them checks.

    >>> remember_tokens(take_learned_tokens())
    """
    for raw, stats in tokens.items():
        _SHARED_TOKENS.setdefault(raw, tuple(stats))


def longest_sentence(text: str, piece: int) -> str:
    """The ``piece``-th stretch of ``text`` between sentence ends, with its end mark.

    >>> longest_sentence("Rest. Drink water, then rest again! Ok", 1)
    'Drink water, then rest again!'
    """
    start = 0
    for number, end in enumerate(_SENTENCE_END.finditer(text)):
        if number == piece:
            return text[start:end.end()].strip()
        start = end.end()
    return text[start:].strip()


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
_SCOPE_ORDER = {"intro": 0, "section": 1, "disclaimer": 2}


def _lines(frame: pd.DataFrame, text: str, first_line: str) -> pd.DataFrame:
    """One row per non-blank line of ``frame[text]``, numbered from ``frame[first_line]``.

    Built in one pass: the other columns are repeated by position and never ``frame[text]``
    itself, so a text of n lines costs O(n), not n copies of itself (issue 11).
    """
    frame = frame[frame[first_line].notna() & (frame[text].fillna("") != "")]
    split = pc.split_pattern(pa.array(frame[text], type=pa.large_string()), "\n")
    counts = pc.list_value_length(split).to_numpy(zero_copy_only=False).astype(np.int64)
    owner = np.repeat(np.arange(len(frame)), counts)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    lines = frame.drop(columns=text).iloc[owner]
    lines["text"] = pd.arrays.ArrowStringArray(split.flatten())
    lines["line"] = frame[first_line].to_numpy(dtype=np.int64)[owner] + within
    return lines[lines["text"].str.strip() != ""]


def text_units(corpus: Corpus) -> pd.DataFrame:
    """Every unit a reader reads, in document order: intro paragraphs, each section's heading
    and its paragraphs or bullet lines, and the disclaimer (title and label are not prose).

    Columns: ``article_id``, ``scope`` (``intro`` / ``section`` / ``disclaimer``),
    ``position`` (the section's position), ``section``, ``heading``, ``line``, ``text``.
    """
    articles, sections = corpus.articles, corpus.sections
    intro = _lines(articles[["article_id", "intro", "intro_line"]], "intro", "intro_line")
    headings = sections.assign(text=sections["heading"])
    bodies = _lines(sections, "text", "body_line")
    disclaimer = articles[articles["has_disclaimer"]].rename(
        columns={"disclaimer": "text", "disclaimer_line": "line"})
    units = pd.concat([intro.assign(scope="intro"), headings.assign(scope="section"),
                       bodies.assign(scope="section"), disclaimer.assign(scope="disclaimer")],
                      ignore_index=True)
    units = units.reindex(columns=list(UNIT_COLUMNS)).astype(UNIT_COLUMNS)
    rank = positions(units["article_id"], articles["article_id"])
    order = np.lexsort((units["line"].fillna(0).to_numpy(),
                        units["scope"].map(_SCOPE_ORDER).to_numpy(), rank))
    return units.iloc[order].reset_index(drop=True)


# ------------------------------------------------------------------------------ table
def _totals(units: pd.DataFrame, group: np.ndarray, texts: list[str] | None = None
            ) -> pd.DataFrame:
    """Counts summed per ``group`` (consecutive ids), with where the longest sentence is:
    ``at`` (the unit's row), its words and line, and with ``texts`` its text."""
    sums = pd.DataFrame(units[list(COUNT_COLUMNS)].to_numpy(), columns=list(COUNT_COLUMNS)
                        ).groupby(group).sum()
    at = pd.Series(units["longest_sentence_words"].to_numpy()).groupby(group).idxmax()
    sums["at"] = at.to_numpy()
    sums["longest_sentence_words"] = units["longest_sentence_words"].to_numpy()[at]
    sums["longest_sentence_line"] = units["line"].to_numpy()[at]
    if texts is not None:
        pieces = units["longest_piece"].to_numpy()[at]
        sums["longest_sentence"] = [longest_sentence(texts[i], piece)
                                    for i, piece in zip(at, pieces, strict=True)]
    return sums


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
    counter = counter or shared_counter(int(rules["max_sentence_words"]))
    units = text_units(corpus)
    texts = units["text"].tolist()
    units = pd.concat([units.drop(columns="text"), counter.count_many(texts)], axis=1)
    # Units arrive in document order, so each part (intro, a section, the disclaimer) is a
    # run of consecutive rows: a new part starts wherever article, scope or position change.
    key = units[["article_id", "scope", "position"]].fillna({"position": 0})
    starts = (key != key.shift()).fillna(True).any(axis=1).to_numpy()
    part_of = np.cumsum(starts) - 1
    parts = _totals(units, part_of, texts)
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
