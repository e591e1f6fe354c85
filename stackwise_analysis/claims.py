"""Find lexicon phrases (claims, harms) in sentences, telling negated or hedged mentions apart."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .text.sentences import split_sentences

#: Splits a block of text into sentences (``stackwise_analysis.text.sentences``).
Splitter = Callable[[str], list[str]]

# A negation's reach ends at clause punctuation or at a contrast: in "not cheap, but it cures
# acne" the "not" belongs to "cheap", so "cures" is a claim.
_SCOPE_BREAK = re.compile(
    r"[;:!?()\[\]—–]|\s-\s|,\s*(?:and|so|which)\b"
    r"|\b(?:but|yet|however|although|though|whereas|except)\b",
)  # matched against lower-cased text
# "A cure is not guaranteed", "the miracle never came": a claim word that is the subject of a
# negated verb is not asserted either.
_TRAILING_NEGATION = re.compile(
    r"\s+(?:(?:is|are|was|were|does|do|did|has|have|had|will|would|can|could|should|may"
    r"|might|must)(?:\s+not\b|n['’]t\b)|(?:cannot|can['’]t|won['’]t|never)\b)",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_BREAK = re.compile(r"\n")


@dataclass(frozen=True)
class Lexicon:
    """A compiled word list and the negations that cancel its mentions.

    Build it with ``compile_lexicon``; ``source`` is the pattern for vectorised pre-filtering
    (it is valid both for Python's ``re`` and for RE2, which pyarrow uses).
    """

    terms: tuple[str, ...]
    source: str
    pattern: re.Pattern
    lower: re.Pattern
    negation: re.Pattern | None
    window: int
    negation_words: int


@dataclass(frozen=True)
class Mention:
    """One lexicon phrase found in a sentence; ``start``/``end`` are offsets in that sentence."""

    term: str
    start: int
    end: int
    negated: bool


def _phrase_source(phrase: str, plurals: bool = False) -> str:
    """Regex for one phrase: words separated by any whitespace, whole words at both edges."""
    words = phrase.split()
    body = r"\s+".join(re.escape(word) for word in words).replace("'", "['’]")
    if plurals and re.search(r"[a-z]$", phrase, re.IGNORECASE):
        body += "(?:e?s)?"
    # "n't" is a suffix ("doesn't"), so it needs no word boundary in front.
    lead = r"\b" if re.match(r"\w", phrase) and not phrase.lower().startswith("n'") else ""
    tail = r"\b" if re.search(r"\w$", phrase) else ""
    return lead + body + tail


def lexicon_source(phrases: Iterable[str], *, plurals: bool = False) -> str:
    """One alternation matching any of ``phrases`` as whole words, longest phrase first.

    With ``plurals`` a phrase ending in a letter also matches with "s" or "es" added
    ("infection" finds "infections"). Returns a pattern that never matches when
    ``phrases`` is empty.

    Examples
    --------
    >>> lexicon_source(["cure", "100% safe"])
    '(?:\\\\b100%\\\\s+safe\\\\b|\\\\bcure\\\\b)'
    """
    unique = {" ".join(p.split()).lower(): " ".join(p.split()) for p in phrases if p.strip()}
    if not unique:
        return r"(?:$.^)"
    ordered = sorted(unique.values(), key=lambda p: (-len(p), p.lower()))
    return "(?:" + "|".join(_phrase_source(p, plurals) for p in ordered) + ")"


def compile_lexicon(terms: Iterable[str], negations: Iterable[str] = (),
                    window: int = 4, *, plurals: bool = False) -> Lexicon:
    """Compile ``terms`` (matched case-insensitively as whole words or phrases, with
    ``plurals`` also with "s"/"es" added) and the ``negations`` that cancel a term when they
    end within ``window`` words before it.

    Examples
    --------
    >>> lex = compile_lexicon(["cure", "miracle"], ["not", "rather than"], window=4)
    >>> [m.term for m in find_mentions("It is not a cure but a miracle.", lex)]
    ['miracle']
    """
    terms = tuple(t for t in terms if t.strip())
    negations = tuple(n for n in negations if n.strip())
    source = lexicon_source(terms, plurals=plurals)
    negation = re.compile(lexicon_source(negations), re.IGNORECASE) if negations else None
    return Lexicon(
        terms=terms,
        source=source,
        pattern=re.compile(source, re.IGNORECASE),
        lower=re.compile(lexicon_source([t.lower() for t in terms], plurals=plurals)),
        negation=negation,
        window=max(0, int(window)),
        negation_words=max((len(n.split()) for n in negations), default=1),
    )


def is_negated(sentence: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """Whether the mention at ``sentence[start:end]`` is negated or hedged.

    A negation counts when its last word stands within ``lexicon.window`` words before the
    mention in the same clause (clauses end at ``; : ( ) —``, ", and", "but", "although"...),
    or when the mention is the subject of a negated verb ("a cure is not guaranteed"). The
    words of the mention itself never negate it: "no side effects" stays a claim.

    Examples
    --------
    >>> lex = compile_lexicon(["cure"], ["rather than"])
    >>> s = "Use it alongside treatment rather than a standalone cure."
    >>> is_negated(s, s.index("cure"), s.index("cure") + 4, lex)
    True
    """
    if _TRAILING_NEGATION.match(sentence, end):
        return True
    if lexicon.negation is None or lexicon.window == 0:
        return False
    # Extra words let a multi-word negation ending inside the window be seen whole; only
    # these last words can negate, so a generous slice of the sentence is enough.
    reach = lexicon.window + lexicon.negation_words - 1
    words = sentence[max(0, start - 40 * reach):start].split()[-reach:]
    prefix = " ".join(words).lower()
    breaks = [m.end() for m in _SCOPE_BREAK.finditer(prefix)]
    tail = prefix[breaks[-1]:].split() if breaks else words
    outside = len(tail) - lexicon.window
    joined = " ".join(tail)
    boundary = len(" ".join(tail[:outside])) if outside > 0 else 0
    return any(m.end() > boundary for m in lexicon.negation.finditer(joined))


def find_mentions(sentence: str, lexicon: Lexicon, *,
                  include_negated: bool = False) -> list[Mention]:
    """Lexicon phrases in one sentence, negated ones left out unless ``include_negated``.

    Examples
    --------
    >>> lex = compile_lexicon(["no side effects", "guarantee"], ["no", "not"])
    >>> [m.term for m in find_mentions("There are no side effects.", lex)]
    ['no side effects']
    >>> find_mentions("There is no guarantee.", lex)
    []
    """
    found = []
    for match in lexicon.pattern.finditer(sentence):
        negated = is_negated(sentence, match.start(), match.end(), lexicon)
        if include_negated or not negated:
            found.append(Mention(" ".join(match.group().split()), match.start(), match.end(),
                                 negated))
    return found


def _blocks(text: str, by_line: bool) -> list[tuple[int, int]]:
    """``(start, end)`` of the paragraphs of ``text`` (of its lines with ``by_line``)."""
    breaker = _LINE_BREAK if by_line else _PARAGRAPH_BREAK
    blocks, start = [], 0
    for brk in breaker.finditer(text):
        blocks.append((start, brk.start()))
        start = brk.end()
    blocks.append((start, len(text)))
    return blocks


def _block_spans(text: str, start: int, stop: int, split: Splitter) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:stop]``, as offsets in ``text``."""
    block = text[start:stop]
    spans, cursor = [], 0
    for sentence in split(block):
        sentence = sentence.strip()
        at = block.find(sentence, cursor) if sentence else -1
        if at < 0:
            continue
        spans.append((start + at, start + at + len(sentence)))
        cursor = at + len(sentence)
    return spans


def sentence_spans(text: str, split: Splitter | None = None, *,
                   by_line: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text``.

    Paragraphs (blank-line separated) are split separately, and with ``by_line`` every line
    is its own unit first (bullets carry no full stop). ``split`` returns the sentences of
    one block; a sentence it returns that cannot be found verbatim is skipped.

    Examples
    --------
    >>> text = "It helps. It stings.\\n\\nRest."
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['It helps.', 'It stings.', 'Rest.']
    """
    split = split or split_sentences
    return [span for a, b in _blocks(text, by_line) for span in _block_spans(text, a, b, split)]


def _sentence_at(text: str, pos: int, blocks: list[tuple[int, int]], starts: list[int],
                 cache: dict, split: Splitter) -> tuple[int, int]:
    """Span of the sentence holding offset ``pos`` (its whole block if the splitter lost it)."""
    i = max(bisect_right(starts, pos) - 1, 0)
    if i not in cache:
        cache[i] = _block_spans(text, *blocks[i], split)
    return next((span for span in cache[i] if span[0] <= pos < span[1]), blocks[i])


def as_arrow(texts: Sequence[str] | pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """``texts`` as one contiguous pyarrow string array (missing texts null).

    A pyarrow compute kernel pays per chunk (RE2 compiles the pattern per chunk), and a
    filtered or concatenated pandas column can hold thousands of chunks, so they are joined.

    >>> as_arrow(pd.Series(["a", None], dtype="string")).to_pylist()
    ['a', None]
    """
    if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = pa.array(texts, from_pandas=True)
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.chunk(0) if texts.num_chunks == 1 else texts.combine_chunks()
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.large_string())
    return texts


def texts_matching(texts: Sequence[str] | pd.Series | pa.Array, source: str, *,
                   ignore_case: bool = True) -> np.ndarray:
    """Boolean array: which ``texts`` contain a match of the regex ``source``.

    Runs vectorised in pyarrow (RE2); a pattern RE2 cannot compile (e.g. a look-behind in a
    user's style guide) falls back to Python's ``re``. Missing texts never match.

    Examples
    --------
    >>> texts_matching(["a cure", "secure", None], lexicon_source(["cure"])).tolist()
    [True, False, False]
    """
    array = as_arrow(texts)
    try:
        hits = pc.match_substring_regex(array, source, ignore_case=ignore_case)
        return hits.fill_null(False).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pattern = re.compile(source, re.IGNORECASE if ignore_case else 0)
        return np.array([isinstance(t, str) and pattern.search(t) is not None
                         for t in array.to_pylist()], dtype=bool)


def _matches(text: str, lexicon: Lexicon) -> Iterable[re.Match]:
    """Matches of the lexicon in ``text``; a case-sensitive scan of the lower-cased text is
    several times faster than ``re.IGNORECASE``, and equal whenever lower-casing keeps
    every offset (it does for all but a few non-Latin letters)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lexicon.lower.finditer(lowered)
    return lexicon.pattern.finditer(text)


# Over 50 lines for its docstring; the code is 25.
def scan_texts(texts: pd.Series, lexicon: Lexicon, split: Splitter | None = None, *,
               by_line: pd.Series | None = None) -> pd.DataFrame:
    """Every un-negated mention of ``lexicon`` in ``texts``, with the sentence holding it.

    Texts are pre-filtered in one vectorised pass; only texts with a hit are split into
    sentences, so a large corpus with few claims costs little more than one regex scan.

    Parameters
    ----------
    texts : Series of str
        The texts to scan; the result refers to them by index label.
    lexicon : Lexicon
        From ``compile_lexicon``.
    split : callable, optional
        Sentence splitter for one paragraph; ``text.sentences.split_sentences`` when None.
    by_line : Series of bool, optional
        Aligned with ``texts``: True where every line is a unit of its own (bullet lists).

    Returns
    -------
    DataFrame
        Columns ``row`` (index label in ``texts``), ``term`` (as written), ``sentence``,
        ``sentence_start`` and ``newlines`` (line breaks in the text before the sentence),
        one row per mention, in text order.

    Examples
    --------
    >>> lex = compile_lexicon(["cure"], ["not"])
    >>> scan_texts(pd.Series(["Not a cure.", "Line one.\\nIt is a cure."]), lex)[
    ...     ["row", "term", "newlines"]].to_dict("records")
    [{'row': 1, 'term': 'cure', 'newlines': 1}]
    """
    columns = ["row", "term", "sentence", "sentence_start", "newlines"]
    split = split or split_sentences
    hit = texts_matching(texts, lexicon.source)
    rows = []
    candidates = texts[hit]
    per_line = (by_line[hit].to_numpy(dtype=bool) if by_line is not None
                else np.zeros(len(candidates), dtype=bool))
    for label, text, lines in zip(candidates.index, candidates.tolist(), per_line, strict=True):
        # Only the paragraphs holding a hit are split into sentences.
        blocks = _blocks(text, bool(lines))
        starts = [a for a, _ in blocks]
        cache: dict = {}
        for match in _matches(text, lexicon):
            first, last = _sentence_at(text, match.start(), blocks, starts, cache, split)
            sentence = text[first:max(last, match.end())]
            if is_negated(sentence, match.start() - first, match.end() - first, lexicon):
                continue
            term = " ".join(text[match.start():match.end()].split())
            rows.append((label, term, sentence, first,
                         text.count("\n", 0, first)))
    frame = pd.DataFrame.from_records(rows, columns=columns)
    return frame.astype({"term": "string", "sentence": "string", "sentence_start": "int64",
                         "newlines": "int64"})
