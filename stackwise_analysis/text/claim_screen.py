"""Which sentences of a batch of texts could hold a health claim, decided for the whole batch
at once, so that only those few are read closely (``ClaimFinder.find``).

The texts are cut into sentences by the house splitter's array form
(``sentences.boundaries``) over pyarrow's whitespace tokens; each distinct token is looked up
once. A sentence is read closely when it holds a word that a claim needing no condition needs
("antibiotic", "guaranteed", "-free"), a comparison word near a medicine, or a word an effect
phrase needs within ``WINDOW`` tokens of a word a condition needs, or when it answers a
headline question that names a condition ("Tinnitus? Gone in days."). On health copy that is
about one sentence in three (benchmark corpus); the claims themselves are one in thirty. A
shop listing's title ("Eye Drops 10ml Cataract Treatment") is read when it names a condition.

A token is what stands between spaces, so a sentence glued to the next by a dash
("well.—Then") stays one sentence here; the readability counts split dashes first. It is rare
and costs nothing but a longer quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .claims import COMPARISON, CONDITION, DRUG, EFFECT, LABEL, STANDALONE, ClaimFinder
from .sentences import SentenceSplitter, boundaries

#: How far apart, in tokens, an effect word and a condition word may stand.
WINDOW = 12
_LINE_MARK = "\u2029"  # a line break, kept as a token: it ends a sentence
QUESTION = 32  # a token ending a question; the other bits are ``word_flags``' own
CLAUSE_END = 128  # a token after which a clause opens ("Oil:", "–")
CAPITAL = 256  # a token that opens with a capital letter (a shop listing's title is made of them)


@dataclass
class Screened:
    """The sentences worth reading closely: the text's position in the batch, the sentence
    (single-spaced, a headline question joined to its answer) and the number of line breaks
    in the text before it."""

    unit: np.ndarray
    sentence: list[str]
    lines_before: np.ndarray


# Over 50 lines: a docstring and one vectorised pass whose arrays feed each other.
def screen(texts: pa.Array, finder: ClaimFinder, splitter: SentenceSplitter,
           memo: dict[str, int] | None = None) -> Screened:
    """The sentences of ``texts`` that could hold a claim (see the module docstring).

    ``memo`` keeps each token's flags between calls (pass the same dict for every batch).

    Examples
    --------
    >>> from stackwise_analysis.audits.compliance import claim_finder
    >>> from stackwise_analysis.text.sentences import splitter_for
    >>> texts = pa.array(["It rests. It cures eczema fast!", "Walk daily.\\nTinnitus? Gone."])
    >>> found = screen(texts, claim_finder(styleguide), splitter_for())
    >>> list(zip(found.unit.tolist(), found.sentence, found.lines_before.tolist()))
    [(0, 'It cures eczema fast!', 0), (1, 'Tinnitus? Gone.', 1)]
    """
    n = len(texts)
    if n == 0:
        return Screened(np.zeros(0, np.int64), [], np.zeros(0, np.int64))
    lists = pc.ascii_split_whitespace(pc.replace_substring(texts, "\n", f" {_LINE_MARK} "))
    starts = lists.offsets.to_numpy()
    encoded = pc.dictionary_encode(lists.flatten())
    token = encoded.indices.to_numpy(zero_copy_only=False)
    distinct = encoded.dictionary.to_pylist()
    if not len(token):
        return Screened(np.zeros(0, np.int64), [], np.zeros(0, np.int64))
    memo = {} if memo is None else memo
    flags = np.fromiter((_flags(t, finder, memo) for t in distinct), dtype=np.int16,
                        count=len(distinct))[token]
    # A condition word counts only where a whole condition term starts (looked up as word
    # n-grams in one vectorised pass), not wherever one of its words stands.
    flags = (flags & ~CONDITION) | (_condition_starts(encoded.dictionary, token, finder,
                                                      memo) * CONDITION).astype(np.int16)
    mark = token == distinct.index(_LINE_MARK) if _LINE_MARK in distinct else np.zeros(
        len(token), dtype=bool)
    last = mark.copy()
    last[starts[1:][np.diff(starts) > 0] - 1] = True
    ends = boundaries(splitter.codes(distinct)[token], last)
    sentence = np.cumsum(ends) - ends
    first_token = np.r_[0, np.flatnonzero(ends)[:-1] + 1]

    keep = _worth_reading(flags, sentence, first_token)
    # A short question naming a condition is read with the sentence that answers it.
    topic = _topic_questions(flags, sentence, first_token, ends)
    answer = np.flatnonzero(topic[:-1] & (np.searchsorted(starts, first_token[:-1], "right")
                                          == np.searchsorted(starts, first_token[1:], "right")))
    keep[answer + 1] = True
    begin = first_token.copy()
    begin[answer + 1] = first_token[answer]
    chosen = np.flatnonzero(keep)
    stop = np.flatnonzero(ends)[chosen] + 1
    text = _join(encoded.dictionary, token, begin[chosen], stop)
    unit = np.searchsorted(starts, begin[chosen], side="right") - 1
    marks_before = np.r_[0, np.cumsum(mark)]
    lines = marks_before[begin[chosen]] - marks_before[starts[unit]]
    return Screened(unit.astype(np.int64), text, lines.astype(np.int64))


def _condition_starts(dictionary: pa.Array, token: np.ndarray, finder: ClaimFinder,
                      memo: dict) -> np.ndarray:
    """Per token: does a condition term of the vocabulary start there? Each distinct token
    is cut to its word once. Only where a term of that many words could start (its first
    word known) are n-grams joined by pyarrow and looked up in the term set, all in one
    ``is_in`` (the set hashed once), the last word also in its singular."""
    keys = memo.get("\0terms")
    if keys is None:
        keys = memo["\0terms"] = pa.array(sorted(finder.conditions.terms), type=pa.string())
    bare = memo.setdefault("\0bare", {})
    first = finder.conditions.first
    triples = []
    for t in dictionary.to_pylist():
        triple = bare.get(t)
        if triple is None:
            word = finder.conditions.mend(finder.bare_word(t))
            single = finder.singular(word)
            # the most words a term starting here has: an upper bound, the look-up decides
            lead = word.partition(" ")[0]  # "Lp(a)," is one token but two words
            triple = bare[t] = (word, single,
                                first.get(lead) or first.get(single) or 0,
                                finder.conditions.built_like_disease(word))
        triples.append(triple)
    words = pa.array([t[0] for t in triples], type=pa.string())
    singular = pa.array([t[1] for t in triples], type=pa.string())
    reach = np.fromiter((t[2] for t in triples), dtype=np.int64, count=len(triples))[token]
    # a word built like a disease name the vocabulary lacks ("myoma") starts one too
    built = np.fromiter((t[3] for t in triples), dtype=bool, count=len(triples))[token]
    n = len(token)
    grams, places = [], []
    for size in range(1, int(reach.max(initial=0)) + 1):
        at = np.flatnonzero(reach[: n - size + 1] >= size)
        if not len(at):
            continue
        parts = [words.take(pa.array(token[at + k])) for k in range(size)]
        for last in (words, singular):
            parts[-1] = last.take(pa.array(token[at + size - 1]))
            grams.append(parts[0] if size == 1 else
                         pc.binary_join_element_wise(*parts, " "))
            places.append(at)
    starts = built.copy()
    if grams:
        hit = pc.is_in(pa.concat_arrays(grams), value_set=keys).to_numpy(zero_copy_only=False)
        starts[np.concatenate(places)[hit]] = True
    return starts


def _flags(token: str, finder: ClaimFinder, memo: dict[str, int]) -> int:
    bits = memo.get(token)
    if bits is None:
        bits = finder.word_flags(token)
        if token.rstrip("\"'”’)]").endswith("?"):
            bits |= QUESTION
        if token.endswith(":") or token in ("-", "–", "—"):
            bits |= CLAUSE_END
        if token.lower() == "before:":  # a before-and-after testimonial: read it closely
            bits |= STANDALONE
        if token.lstrip("\"'“‘([#-–—|").startswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")):
            bits |= CAPITAL
        memo[token] = bits
    return bits


def _worth_reading(flags: np.ndarray, sentence: np.ndarray, first_token: np.ndarray
                   ) -> np.ndarray:
    """Per sentence: a standalone word, a comparison and a medicine, a label cue opening a
    clause and a condition, or an effect word and a condition word within ``WINDOW`` tokens
    of each other."""
    count = len(first_token)

    def has(bit: int) -> np.ndarray:
        return np.bincount(sentence, weights=(flags & bit) > 0, minlength=count) > 0

    keep = has(STANDALONE) | (has(COMPARISON) & has(DRUG))
    # a shop listing's title: a condition among mostly capitalised words (looser than
    # ``ClaimFinder``, whose words are not whitespace tokens)
    length = np.bincount(sentence, minlength=count)
    capitals = np.bincount(sentence, weights=(flags & CAPITAL) > 0, minlength=count)
    keep |= (capitals >= 4) & (capitals >= 0.5 * length) & has(CONDITION)
    # a label's use line: "for" opening the sentence or a clause, and a condition
    opens = np.zeros(len(flags), dtype=bool)
    opens[first_token] = True
    opens[1:] |= (flags[:-1] & CLAUSE_END) > 0
    label = ((flags & LABEL) > 0) & opens
    keep |= (np.bincount(sentence, weights=label, minlength=count) > 0) & has(CONDITION)
    effect = ((flags & EFFECT) > 0).astype(np.int64)
    running = np.r_[0, np.cumsum(effect)]
    at = np.flatnonzero(flags & CONDITION)
    if len(at):
        lo = np.maximum(at - WINDOW, first_token[sentence[at]])
        # the sentence's last token, from the start of the next one
        end = np.r_[first_token[1:], len(flags)][sentence[at]]
        hi = np.minimum(at + WINDOW + 1, end)
        near = running[hi] - running[lo] > 0
        keep[sentence[at[near]]] = True
    return keep


def _topic_questions(flags: np.ndarray, sentence: np.ndarray, first_token: np.ndarray,
                     ends: np.ndarray) -> np.ndarray:
    """Per sentence: a question of at most five tokens that names a condition."""
    count = len(first_token)
    length = np.bincount(sentence, minlength=count)
    condition = np.bincount(sentence, weights=(flags & CONDITION) > 0, minlength=count) > 0
    question = (flags[np.flatnonzero(ends)] & QUESTION) > 0
    return question & condition & (length <= 5)


def _join(dictionary: pa.Array, token: np.ndarray, begin: np.ndarray, stop: np.ndarray
          ) -> list[str]:
    """The tokens of each sentence joined by single spaces, line marks left out."""
    if not len(begin):
        return []
    lengths = stop - begin
    offsets = np.r_[0, np.cumsum(lengths)]
    picked = np.arange(offsets[-1]) - np.repeat(offsets[:-1] - begin, lengths)
    offsets = offsets.astype(np.int32)
    values = dictionary.take(pa.array(token[picked])).cast(pa.string())
    words = pa.ListArray.from_arrays(pa.array(offsets), values)
    joined = pc.binary_join(words, pa.scalar(" ", pa.string())).to_pylist()
    return [text.replace(f" {_LINE_MARK}", "").replace(_LINE_MARK, "").strip()
            for text in joined]
