"""Sentence boundaries for health copy: one splitter for every count, check and view.

A sentence ends after a whitespace-separated token that closes with ``.``, ``!``, ``?`` or an
ellipsis (closing quotes and brackets after the mark belong to the sentence), unless a rule
says the mark ends nothing:

- an abbreviation that never ends a sentence ("Dr.", "e.g.", "vs.", "approx.", "St.");
- an abbreviation that ends one only before a capital letter ("etc.", "et al.", "2 tsp.",
  "Jan.", "Calif.", dotted abbreviations such as "a.m." and "Ph.D.", a number with a period);
- a capitalised initialism ("U.S.", "U.K."), which ends one only before a word that opens
  sentences ("It", "The", "However"...), not before a name ("the U.S. Food and Drug...");
- an initial ("J. R. Smith"), unless the letter names something ("vitamin D.", "type B.");
- an ellipsis, which ends a sentence only before a capital; ``?`` and ``!`` end one unless a
  lower-case word follows;
- a stretch with no letters ("1." of an inline list) is not a sentence of its own: it joins
  the sentence after it (at the end of a line, the one before).

Reference marks after the stop ("per day.[8]") stay with the sentence they close.
Decimals, thousands separators, times and ratios ("2.5", "1,000", "7:30", "1:10") never
split, because a mark inside a token is not a boundary. Every line ends a sentence: the
loader's paragraphs and bullets are lines. Hyphens and dashes separate tokens, as they
separate words in the readability counts.

The decision is made over arrays of per-token codes, so the readability engine can cut a
whole batch at once (``boundaries``) and ``SentenceSplitter.spans`` can cut one text, with the same
result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

# What a token's last mark says about the sentence (the low three bits of a token code).
(END_NONE, END_STOP, END_MAY, END_NEVER, END_INITIAL, END_STRONG, END_ELLIPSIS,
 END_INITIALISM) = range(8)
# How a token starts (bits 3-4): what the mark before it may depend on.
START_OTHER, START_UPPER, START_LOWER, START_DIGIT = range(4)
NAMER_BIT, ALPHA_BIT, OPENER_BIT = 1 << 5, 1 << 6, 1 << 7

#: Dashes and hyphens, which separate tokens (RE2 syntax, also valid for ``re``).
DASHES = "[-\u2010-\u2015\u2212]"
_DASH = re.compile(DASHES)
_TOKEN = re.compile(r"[^ \t\n\r\f\v]+")
_CLOSERS = "\"'”’»)]}*_"
_OPENERS = "\"'“‘«([{*_¿¡"
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S", "a.m", "Ph.D" (final period cut)
_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]")  # "U.S", "U.K", "E.U"
# Reference marks after the stop belong to the sentence before: "per day.[8]", "day.[3,4]".
_CITATION = re.compile(r"(?:\[[\d,\s\u2013-]+\])+$")
_ABBREVIATION_KINDS = ("never_end", "may_end", "sentence_openers", "letter_names")


@dataclass(frozen=True)
class Abbreviations:
    """Word lists that decide what a period ends (``data/abbreviations.yml``).

    Each list holds lower-case words without their final period. ``with_extra`` returns
    the lists with a style guide's additions.

    Examples
    --------
    >>> abbr = default_abbreviations()
    >>> "dr" in abbr.never_end, "etc" in abbr.may_end
    (True, True)
    """

    never_end: frozenset[str]
    may_end: frozenset[str]
    sentence_openers: frozenset[str]
    letter_names: frozenset[str]

    def with_extra(self, extra: Mapping[str, Iterable[str]] | None) -> Abbreviations:
        """These lists with the words of ``extra`` (keys as in the data file) added."""
        if not extra:
            return self
        unknown = set(extra) - set(_ABBREVIATION_KINDS)
        if unknown:
            raise ValueError(f"unknown abbreviation list(s): {', '.join(sorted(unknown))}")
        return Abbreviations(**{
            kind: getattr(self, kind) | _normalised(extra.get(kind, ()))
            for kind in _ABBREVIATION_KINDS})


def _normalised(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w.strip().lower().removesuffix(".") for w in words if w.strip())


@cache
def default_abbreviations() -> Abbreviations:
    """The packaged abbreviation lists."""
    text = resources.files("stackwise_analysis").joinpath("data/abbreviations.yml").read_text(
        "utf-8")
    data = yaml.load(text, Loader=yaml.BaseLoader)  # every word a string: "no" is not False
    return Abbreviations(**{kind: _normalised(data[kind]) for kind in _ABBREVIATION_KINDS})


class SentenceSplitter:
    """Cuts text into sentences by the rules in the module docstring.

    Token codes are cached per splitter, so reuse one instance (``splitter_for``).

    Examples
    --------
    >>> split = SentenceSplitter()
    >>> split.sentences("Take 2 tsp. twice a day, e.g. with food. Dr. Lee agrees.")
    ['Take 2 tsp. twice a day, e.g. with food.', 'Dr. Lee agrees.']
    >>> split.sentences("Take 2 tablets. Then rest.")
    ['Take 2 tablets.', 'Then rest.']
    """

    def __init__(self, abbreviations: Abbreviations | None = None) -> None:
        self.abbreviations = abbreviations or default_abbreviations()
        self._codes: dict[str, int] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}

    def code(self, token: str) -> int:
        """The code of one token: how its last mark ends (or not), how it starts, whether it
        names letters and whether it holds a letter."""
        code = self._codes.get(token)
        if code is None:
            code = self._codes[token] = self._classify(token)
        return code

    def codes(self, tokens: Iterable[str]) -> np.ndarray:
        """Codes of many tokens, as an int16 array."""
        return np.fromiter((self.code(t) for t in tokens), dtype=np.int16)

    def _classify(self, token: str) -> int:
        core = _CITATION.sub("", token).rstrip(_CLOSERS)
        end = END_NONE
        if core.endswith(("...", "…")):
            end = END_ELLIPSIS
        elif core[-1:] in ("?", "!"):
            end = END_STRONG
        elif core.endswith("."):
            end = self._period(core[:-1].lstrip(_OPENERS))
        lead = token.lstrip(_OPENERS)[:1]
        start = (START_UPPER if lead.isupper() else START_LOWER if lead.islower()
                 else START_DIGIT if lead.isdigit() else START_OTHER)
        word = token.strip(_OPENERS + _CLOSERS + ".,;:!?").lower()
        namer = NAMER_BIT if word in self.abbreviations.letter_names else 0
        opener = OPENER_BIT if word in self.abbreviations.sentence_openers else 0
        alpha = ALPHA_BIT if any(c.isalpha() for c in token) else 0
        return end | start << 3 | namer | alpha | opener

    def _period(self, stem: str) -> int:
        """What a period after ``stem`` ends."""
        key = stem.lower()
        if key in self.abbreviations.never_end:
            return END_NEVER
        if len(stem) == 1 and stem.isupper():
            return END_INITIAL
        if _INITIALISM.fullmatch(stem):
            return END_INITIALISM
        if key in self.abbreviations.may_end or stem.isdigit() or _DOTTED.fullmatch(stem):
            return END_MAY
        return END_STOP

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` offsets of the sentences of ``text``, stripped of outer spaces.

        >>> text = "It helps (a little). It stings!\\nRest."
        >>> [text[a:b] for a, b in SentenceSplitter().spans(text)]
        ['It helps (a little).', 'It stings!', 'Rest.']
        """
        cached = self._spans.get(text)
        if cached is not None:
            return cached
        tokens = list(_TOKEN.finditer(_DASH.sub(" ", text)))
        code = self.code
        codes = [code(t.group()) for t in tokens]
        # A token is the last of its line when a line break stands before the next one.
        last = [text.count("\n", a.end(), b.start()) > 0
                for a, b in zip(tokens, tokens[1:], strict=False)] + [True]
        spans, first = [], 0
        for i in boundaries_of_one(codes, last) if tokens else ():
            spans.append((tokens[first].start(), tokens[i].end()))
            first = i + 1
        if len(self._spans) > 4096:  # the readability audit asks for a text's sentences twice
            self._spans.clear()
        self._spans[text] = spans
        return spans

    def sentences(self, text: str) -> list[str]:
        """The sentences of ``text`` as strings."""
        return [text[a:b] for a, b in self.spans(text)]


def boundaries(codes: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Which tokens end a sentence, given their ``codes`` in text order and ``last``, True
    for the last token of each unit (a unit always ends a sentence; no sentence spans two).

    Pieces with no letter join the next piece of their unit, or the one before when they
    end it, so that an inline "1." or a trailing ":)" is never a sentence.
    """
    codes = codes.astype(np.int16, copy=False)
    end, start = codes & 7, (codes >> 3) & 3
    nxt = np.r_[start[1:], START_OTHER]
    next_opens = np.r_[(codes[1:] & OPENER_BIT) > 0, False]
    prev_names = np.r_[False, (codes[:-1] & NAMER_BIT) > 0] & ~np.r_[True, last[:-1]]
    raw = ((end == END_STOP)
           | ((end == END_INITIALISM) & (nxt == START_UPPER) & next_opens)
           | ((end == END_STRONG) & (nxt != START_LOWER))
           | (((end == END_MAY) | (end == END_ELLIPSIS) | ((end == END_INITIAL) & prev_names))
              & (nxt == START_UPPER))
           | last)
    # Raw pieces, numbered by the token that closes them.
    closing = np.flatnonzero(raw)
    piece = np.cumsum(raw) - raw
    alpha = np.bincount(piece, weights=(codes & ALPHA_BIT) > 0,
                        minlength=len(closing)) > 0
    unit_end = last[closing]
    next_bare_end = np.r_[unit_end[1:] & ~alpha[1:], False]
    keep = unit_end | (alpha & ~next_bare_end)
    out = np.zeros(len(codes), dtype=bool)
    out[closing[keep]] = True
    return out


def boundaries_of_one(codes: list[int], last: list[bool]) -> list[int]:
    """``boundaries`` for the tokens of one short text, in plain Python: the positions of
    the tokens that end a sentence. Numpy's fixed cost per call is larger than the whole
    work for a paragraph; tests hold both to the same answers."""
    n = len(codes)
    raw = []
    for i, c in enumerate(codes):
        end = c & 7
        nxt = (codes[i + 1] >> 3) & 3 if i + 1 < n else START_OTHER
        if last[i] or end == END_STOP:
            raw.append(i)
        elif end == END_INITIALISM:
            if nxt == START_UPPER and i + 1 < n and codes[i + 1] & OPENER_BIT:
                raw.append(i)
        elif end == END_STRONG:
            if nxt != START_LOWER:
                raw.append(i)
        elif end in (END_MAY, END_ELLIPSIS) or (
                end == END_INITIAL and i > 0 and codes[i - 1] & NAMER_BIT and not last[i - 1]):
            if nxt == START_UPPER:
                raw.append(i)
    # pieces without a letter join the next piece, or the one before at a unit's end
    alpha, first = [], 0
    for i in raw:
        alpha.append(any(codes[k] & ALPHA_BIT for k in range(first, i + 1)))
        first = i + 1
    keep = []
    for j, i in enumerate(raw):
        bare_end_next = j + 1 < len(raw) and last[raw[j + 1]] and not alpha[j + 1]
        if last[i] or (alpha[j] and not bare_end_next):
            keep.append(i)
    return keep


@cache
def splitter_for(abbreviations: Abbreviations | None = None) -> SentenceSplitter:
    """One shared splitter per set of abbreviation lists (its token cache spans calls)."""
    return SentenceSplitter(abbreviations)


def styleguide_abbreviations(styleguide: Mapping | None) -> Abbreviations:
    """The packaged lists plus a style guide's ``sentences.abbreviations`` additions."""
    extra = ((styleguide or {}).get("sentences") or {}).get("abbreviations")
    return default_abbreviations().with_extra(extra)


def splitter_of(styleguide: Mapping | None) -> SentenceSplitter:
    """The house splitter with a style guide's extra abbreviations (one per set of lists).

    >>> splitter_of(None) is splitter_of({})
    True
    """
    return splitter_for(styleguide_abbreviations(styleguide))


def split_sentences(text: str, styleguide: Mapping | None = None) -> list[str]:
    """The sentences of ``text``, with a style guide's extra abbreviations if given.

    Examples
    --------
    >>> split_sentences("Smith et al. (2019) found no effect. Ask a pharmacist.")
    ['Smith et al. (2019) found no effect.', 'Ask a pharmacist.']
    >>> split_sentences("It costs $2.50 at 7:30 a.m. daily. Ok...")
    ['It costs $2.50 at 7:30 a.m. daily.', 'Ok...']
    """
    return splitter_of(styleguide).sentences(text)
