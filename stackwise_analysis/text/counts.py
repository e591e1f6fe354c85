"""Readability counts per unit of text, and the formulas over them.

Each unit is counted the way textstat 0.7.8 counts a text (our pinned reference), with three
deliberate differences (``docs/readability.md``):

- sentences come from our splitter (``text.sentences``), which knows abbreviations,
  initials and decimals, where textstat ends a sentence at any stop;
- hyphens and dashes split words ("gut-immune" is two words; textstat makes "gutimmune");
- a small medical lexicon corrects syllables the CMU dictionary and pyphen get wrong.

A unit with no words has no scores (NA), where textstat would return 0.0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..syllables import SyllableCounter, default_counter, easy_words
from .sentences import ALPHA_BIT, DASHES, SentenceSplitter, boundaries, splitter_for

#: Count columns of the readability table, summed from units to sections and articles.
COUNT_COLUMNS = ("sentences", "words", "syllables", "polysyllables", "letters", "characters",
                 "difficult_words", "complex_words", "long_sentences")
#: Score columns, named as textstat names its functions.
SCORE_COLUMNS = ("flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog", "smog_index",
                 "coleman_liau_index", "automated_readability_index",
                 "dale_chall_readability_score", "words_per_sentence")

# textstat keeps an apostrophe only where a contraction follows it ("it's", "don't").
_LOOSE_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
_NOT_WORD = re.compile(r"\W")
_TOKEN_COLUMNS = ("words", "syllables", "polysyllables", "difficult_words", "complex_words",
                  "letters", "characters")
# A line break inside a unit ends a sentence (as in ``sentences``); it is kept through
# pyarrow's whitespace split as this token, which counts nothing.
_LINE_MARK = "\u2029"
_NOTHING = (0,) * len(_TOKEN_COLUMNS)


class UnitCounter:
    """Counts units of text the way textstat counts a text, a whole batch at a time.

    The batch is split into whitespace tokens by pyarrow; everything textstat counts is a
    sum over those tokens, so each distinct token is cleaned and looked up once (per
    counter: reuse one instance across batches) and the sums per unit are array operations.
    Sentence ends are decided over the same tokens by ``sentences.boundaries``.

    Examples
    --------
    >>> c = UnitCounter(max_sentence_words=25)
    >>> row = c.count("Cold water (approx. 10 °C) wakes you up. It can also sting.")
    >>> row["sentences"], row["words"], row["syllables"]
    (2, 12, 15)
    """

    def __init__(self, max_sentence_words: int = 25,
                 syllables: SyllableCounter | None = None, *,
                 splitter: SentenceSplitter | None = None,
                 tokens: dict[str, tuple[int, ...]] | None = None,
                 learned: dict[str, tuple[int, ...]] | None = None) -> None:
        self.limit = max_sentence_words
        self.syllables = syllables or default_counter()
        self.splitter = splitter or splitter_for()
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
        """``_TOKEN_COLUMNS`` for one token as written ("joint.", "it's", "2.5")."""
        stats = self._tokens.get(raw)
        if stats is None:
            if raw == _LINE_MARK:
                return _NOTHING
            words = _clean(raw)
            sums = [sum(col) for col in zip(*map(self._word, words), strict=True)] or [0] * 4
            stats = (len(words), *sums, len(_NOT_WORD.sub("", raw)), len("".join(raw.split())))
            self._tokens[raw] = stats
            if self._learned is not None:
                self._learned[raw] = stats
        return stats

    def count(self, text: str) -> dict:
        """Counts for one unit, plus its longest sentence (text and words)."""
        row = self.count_many([text]).iloc[0].to_dict()
        row["longest_sentence"] = self.sentence(text, row.pop("longest_piece"))
        return row

    def sentence(self, text: str, piece: int) -> str:
        """The ``piece``-th sentence of ``text`` (as ``count_many`` numbers them).

        >>> UnitCounter().sentence("Rest. Drink water, e.g. tap water, then rest! Ok", 1)
        'Drink water, e.g. tap water, then rest!'
        """
        a, b = self.splitter.spans(text)[piece]
        return text[a:b]

    def count_many(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row of counts per text: ``COUNT_COLUMNS``, ``longest_sentence_words`` and
        ``longest_piece`` (the index of the longest sentence among the text's sentences)."""
        return self.count_sentences(texts)[0]

    # Over 50 lines: one vectorised pass whose arrays feed each other (cut up, a dozen travel).
    def count_sentences(self, texts: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``count_many``'s table, and one row per sentence over the length limit: ``unit``
        (row in ``texts``), ``piece`` (its index among the unit's sentences), ``words``."""
        n = len(texts)
        columns_out = [*COUNT_COLUMNS, "longest_sentence_words", "longest_piece"]
        if n == 0:
            return (pd.DataFrame({c: pd.Series(dtype="int64") for c in columns_out}),
                    _long_frame([], [], []))
        raw = pa.array(texts, type=pa.large_string())
        spaced = pc.replace_substring(pc.replace_substring_regex(raw, DASHES, " "),
                                      "\n", f" {_LINE_MARK} ")
        # pyarrow splits at ASCII whitespace; any other space is handled per token above.
        lists = pc.ascii_split_whitespace(spaced)
        starts = lists.offsets.to_numpy()  # every text has at least one (maybe empty) token
        encoded = pc.dictionary_encode(lists.flatten())
        token = encoded.indices.to_numpy()
        distinct = encoded.dictionary.to_pylist()
        # One row per statistic, one column per distinct token; int32 halves the memory
        # traffic of gathering a row per token, which is most of the cost here.
        table = np.array([self._token(t) for t in distinct], dtype=np.int32
                         ).reshape(-1, len(_TOKEN_COLUMNS)).T.copy()
        columns = {name: np.add.reduceat(table[i][token], starts[:-1]).astype(np.int64)
                   for i, name in enumerate(_TOKEN_COLUMNS)}

        codes = self.splitter.codes(distinct)[token]
        last = np.zeros(len(token), dtype=bool)
        last[starts[1:] - 1] = True
        last |= token == distinct.index(_LINE_MARK) if _LINE_MARK in distinct else False
        ends = boundaries(codes, last)
        piece_unit = np.searchsorted(starts, np.flatnonzero(ends), side="right") - 1
        piece_of_token = np.cumsum(ends) - ends
        piece_words = np.bincount(piece_of_token, weights=table[0][token],
                                  minlength=len(piece_unit)).astype(np.int64)
        piece_alpha = np.bincount(piece_of_token, weights=(codes & ALPHA_BIT) > 0,
                                  minlength=len(piece_unit)) > 0
        pieces_per_unit = np.bincount(piece_unit, minlength=n)
        piece_base = np.cumsum(pieces_per_unit) - pieces_per_unit

        sentences = np.bincount(piece_unit[piece_alpha], minlength=n)
        has_text = pc.greater(pc.utf8_length(raw), 0).to_numpy(zero_copy_only=False)
        columns["sentences"] = np.where(has_text, np.maximum(sentences, 1), 0)
        is_long = piece_alpha & (piece_words > self.limit)
        columns["long_sentences"] = np.bincount(piece_unit[is_long], minlength=n)
        longest = np.zeros(n, dtype=np.int64)
        np.maximum.at(longest, piece_unit, piece_words)
        # The first sentence of each unit that reaches the unit's longest, as a local index.
        reach = np.flatnonzero(piece_words == longest[piece_unit])
        units, first = np.unique(piece_unit[reach], return_index=True)
        local = np.zeros(n, dtype=np.int64)
        local[units] = reach[first] - piece_base[units]
        columns["longest_sentence_words"] = longest
        columns["longest_piece"] = local
        long_at = np.flatnonzero(is_long)
        return (pd.DataFrame(columns)[columns_out].astype("int64"),
                _long_frame(piece_unit[long_at], long_at - piece_base[piece_unit[long_at]],
                            piece_words[long_at]))


def _long_frame(unit, piece, words) -> pd.DataFrame:
    return pd.DataFrame({"unit": np.asarray(unit, dtype=np.int64),
                         "piece": np.asarray(piece, dtype=np.int64),
                         "words": np.asarray(words, dtype=np.int64)})


def _clean(text: str) -> list[str]:
    """Words as textstat 0.7.8 lists them: punctuation out, contraction apostrophes kept."""
    return _PUNCTUATION.sub("", _LOOSE_APOSTROPHE.sub("", text)).split()


# Token statistics do not depend on the sentence limit or the splitter: every shared counter
# of a process uses one table, which ``remember_tokens`` can fill from an earlier run.
_SHARED_TOKENS: dict[str, tuple[int, ...]] = {}
_LEARNED_TOKENS: dict[str, tuple[int, ...]] = {}


@cache
def shared_counter(max_sentence_words: int,
                   splitter: SentenceSplitter | None = None) -> UnitCounter:
    """One counter per process, limit and splitter, so its caches span every chunk."""
    return UnitCounter(max_sentence_words, splitter=splitter, tokens=_SHARED_TOKENS,
                       learned=_LEARNED_TOKENS)


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
    the audit cache that keeps them checks. Entries of another layout are ignored.

    >>> remember_tokens(take_learned_tokens())
    """
    for raw, stats in tokens.items():
        if len(stats) == len(_TOKEN_COLUMNS):
            _SHARED_TOKENS.setdefault(raw, tuple(stats))


def scores(counts: pd.DataFrame) -> pd.DataFrame:
    """The readability formulas over count columns; NA where a unit has no words.

    Works on any frame with the ``COUNT_COLUMNS``: one row per unit, section or article.

    Examples
    --------
    >>> counts = pd.DataFrame({"sentences": [2], "words": [20], "syllables": [30],
    ...     "polysyllables": [3], "letters": [90], "characters": [95],
    ...     "difficult_words": [4], "complex_words": [2]})
    >>> round(float(scores(counts)["flesch_kincaid_grade"].iloc[0]), 2)
    6.01
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
