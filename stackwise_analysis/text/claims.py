"""Health claims in a sentence: what is claimed, and whether the writer asserts it.

Two steps, in the manner of clinical NLP's ConText (NegEx's successor):

1. **Candidates.** A *disease claim* is an effect phrase ("lowers", "wipes out", "say goodbye
   to") with a condition from the vocabulary (``conditions.py``) after it in the same clause,
   a condition before a phrase that defeats it ("arthritis pain doesn't stand a chance"), or
   a drug-class word used of the product ("a natural antibiotic"). An *absolute claim* is a
   guarantee or safety absolute ("100% safe", "works every time").
2. **Context.** A candidate is not the writer's assertion when the sentence is the supplement
   disclaimer or a question, when the claim stands inside quotation marks, or when a trigger
   in its clause negates it ("no evidence that"), reports it ("is marketed as"), warns
   against it ("be wary of"), states the disease's own status ("there is no cure for"), or
   speaks of a drug rather than the product ("statins lower LDL"). Pseudo-triggers look like
   triggers but are not ("no more", "doesn't stand a chance", "none of the side effects").
   A hedge ("may", "could help") makes an asserted disease claim a *hedged* one.

Every word list is data (the style guide's claim rules); this module only applies them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from lemminflect import getAllInflections, getAllInflectionsOOV, getAllLemmas
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..syllables import cmu_syllables, easy_words

#: What the context step decides for a candidate.
ASSERTED, HEDGED, NOT_ASSERTED = "asserted", "hedged", "not asserted"
#: The shortest word a misspelling of is mended (``ConditionIndex.mend``).
MIN_MENDED = 7
#: What the words of a token may start (``ClaimFinder.word_flags``), as bits.
EFFECT, CONDITION, STANDALONE, COMPARISON, DRUG, LABEL = 1, 2, 4, 8, 16, 64

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*")
# A clause ends at these; a trigger's reach (its scope) ends with its clause.
_CLAUSE_BREAK = re.compile(
    r"[;:!?()\[\]—–]|\s-\s|\.\s|,\s*(?:but|yet|so|and\s+so)\b"
    r"|\b(?:but|however|although|though|whereas|except|while)\b")
# Attribution ("people use it to...", "sellers claim...") reaches further: through commas and
# "while", up to a contrast or a semicolon.
_ATTRIBUTION_BREAK = re.compile(
    r"[;!?()\[\]]|\.\s|\b(?:but|however|yet|although|though|whereas)\b")
# "Migraine-free", "inhaler-free", "cholesterol-busting": the words before the suffix are looked
# up as a condition.
_AGAINST = r"(?:free|busting|buster|fighting|fighter|killing|killer|blocking|beating|crushing)"
_FREE_OF = re.compile(r"(?<![\w-])([^\W\d_]+(?:[ -][^\W\d_]+)?)-" + _AGAINST + r"\b")
_SUFFIXED = re.compile(r"\w-" + _AGAINST + r"\b")
_SERVICE = re.compile(r"\s+(?:checks?|check-ups?|tests?|testing|screenings?|awareness|"
                      r"education|class(?:es)?|month|walk|support group)\b")
_PRONOUN = re.compile(r"\s+(?:it|them)\b")
# "... and it's gone in 2 days": the pronoun is the subject of an effect after it
_PRONOUN_SUBJECT = re.compile(r"\b(?:it|they)(?:'s|'re|’s|’re| is| are| was| were| has| have)?"
                              r"\s+(?:\w+\s+)?$")
_CAUSES = re.compile(r"\b(?:makes?|making|made|causes?|causing|caused|leads? to|triggers?|"
                     r"forces?)\b")
# "a standard antibiotic course", "anti-seizure drugs": the drug itself, no claim
_THE_DRUG_ITSELF = re.compile(r"\s+(?:course|cream|ointment|drugs?|medicines?|medications?|"
                              r"tablets?|pills?|painkillers?|treatment|prescriptions?|"
                              r"resistance|use|therapy|injections?|shots?|sprays?|drops)\b")
# "anti-obesity", "anti-edema": a product set against a condition
_ANTI = re.compile(r"(?<![\w-])anti-([^\W\d_]+)")
# "Tinnitus? Not any more." A short question, then its answer.
# "Anxiety and panic disorder: calmed naturally." A condition as a label's heading, then its
# promise.
_HEADLINE = re.compile(r"^\s*([^?.!:]{2,60})(?:\?|:|\s[-–—])\s+(\S.*)$", re.S)
# "If anxiety is stopping you...": a condition in a conditional clause is no claim's subject.
_CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless)\b[^,;:]*$")
# Between an effect and its condition: a clause break, or a subordinate clause that makes the
# condition something else's object ("remove the seeds if you notice itching").
_PAIR_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|,\s+(?:and|or)\b"
                         + r"|\b(?:if|when|whether|unless|because|since|who|which)\b")
# For "whose claim is it": a comma also starts a new subject ("Unlike antibiotics, it...").
_SUBJECT_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|,")
# "No herb has been shown to...", "None of these cures...": the subject itself is negated.
_OPENING_NEGATION = re.compile(r"(?:(?:and|but|yet|so)\s+)?(?:no|none|neither|nothing|not)\b(?!,)")
# A sentence opening like a question and asking it after the claim ("will it get rid of my
# son's asthma?? anyone tried") is a question, whatever trails after the mark.
_ASKS = re.compile(r"\s*(?:will|would|does|do|did|can|could|is|are|should|has|have|what|how|"
                   r"why|which|anyone)\b")
# "BEFORE: psoriasis plaques on both elbows." opens a before-and-after testimonial.
_BEFORE = re.compile(r"\s*before\b[^:=.!?]{0,30}[:=]")
# "Myth: ...", "Unproven: the idea that ...": a verdict on the claim that follows its colon.
_VERDICT = re.compile(r"\s*([^\W\d_]+(?:[ -][^\W\d_]+)?)\s*:")
# Before a medicine word, these make it the product ("our pills", "this medicine").
_OWN = re.compile(r"\b(?:our|my|this|these)\b")
# a label cue that only says whom a "for" is for ("for people with", "for sufferers of")
_FOR_WHOM = re.compile(r"for (?:\w+ )?\w+ (?:with|of)")
# the people a seller speaks of as its own: "our customers with alopecia see..."
_BUYERS = frozenset("customers clients members patients users buyers families parents moms "
                    "mums subscribers ladies".split())
# "took my A1C from 7.9 to 5.8", "my lupus flares dropped from monthly to zero": a reading
# moved from one value to another, after the condition; the verb before it or in the match
_MOVED_FROM_TO = re.compile(r"\s+(?:(dropped|fell|came down|has come down|went down|is down|"
                            r"are down|was down|went)\s+)?from\s+[\w./%,-]+(?:\s+[\w./%-]+)?"
                            r"\s+to\s+\S+")
_TOOK = re.compile(r"\b(?:took|takes|take|taken|got|gets|brought|brings|has brought)\s+"
                   r"(?:my|his|her|their|your|our|the)\s+(?:[\w-]+'s\s+)?\S*\s*$")
# "Why suffer another day when NerveSoothe switches the pain off?": the question is rhetorical
# and what follows its "when" is asserted
_RHETORICAL = re.compile(r"\s*why\b[^?]*?\bwhen\b")
_INSISTING = re.compile(r"\b(?:CAN|WILL|DOES|DO)\b")
# "functional medicine", "salt inhalers", "Unani medicines": the therapy an article is about,
# not a drug
_THERAPY_KINDS = frozenset("functional herbal salt ayurvedic unani homeopathic homoeopathic "
                           "chinese kampo siddha tibetan naturopathic holistic botanical "
                           "anthroposophic".split())
# Before and after a condition that names a product with the next word ("the cough drops.")
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|some|of|and|or|with|your|their)\s+$")
_NOUN_ENDS = re.compile(r"\s*(?:[.,;:!?)]|\band\b|\bor\b|$)")
# Patients a clinic sees or books are no claim about what it does for them.
_VISIT = re.compile(r"\b(?:sees?|seeing|saw|welcomes?|books?|accepts?|refers?)\s+(?:new\s+)?"
                    r"(?:patients|clients|customers)\b")
# A word built like a disease name ("myoma", "coccidiosis", "trichomoniasis") that the
# vocabulary lacks: by its ending, and only where it is no English word (the CMU dictionary
# has "diagnosis", "aroma", "sympathy"). Therapies named "-pathy" are not diseases.
_DISEASE_ENDING = re.compile(r"[a-z]{3,}(?:itis|osis|oses|iasis|a?emia|pathy|algia|omas?)")
_THERAPY_NAME = re.compile(r"(?:naturo|osteo|homeo|homoeo|allo|cranio|hydro)pathy")
# A condition as a hashtag ("#lyme", "#anxiety"): the seller files the product under it.
_HASHTAG = re.compile(r"(?<![\w#])#([^\W\d_][\w'-]*)")
# An answer that gives a dose ("Hypertension? Two capsules twice daily.") prescribes it.
_DOSE = re.compile(
    r"\b(?:\d+|one|two|three|four|five|a few|a couple of)\s*(?:x\s*)?(?:capsules?|caps|"
    r"tablets?|tabs|drops?|sprays?|sachets?|softgels?|gummies|pills?|teaspoons?|tsp|scoops?|"
    r"puffs?|pumps?|ml|mg|sessions?)\b|\b(?:once|twice|three times|\d+ times|\dx) (?:a |per )?"
    r"(?:day|daily|week)\b|\btwice daily\b|\bevery \d+ hours\b")
_NEGATING_QUALIFIERS = frozenset({"not", "no", "never"})
_DASH_ONLY = re.compile(r"\s*[-–—:]+\s*")
# A quotation with its customer named after it, or a name and age before it, is the seller's
# testimonial, not a quotation held at a distance ('"My gout is gone." - Ray T., verified buyer').
_ATTRIBUTED = re.compile(r"\s*[-–—]+\s*(?:[A-Z][a-z]+(?:\s[A-Z]\.?)?\s*,|verified|featured|"
                         r"(?i:(?:that's |this is )?(?:why )?we\b|our\b))")
_NAMED = re.compile(r"(?:\b[A-Z][a-z]+,\s*\d{2}|\b[Rr]esults|\b[Rr]eview|\b[Tt]estimonial)\s*:\s*$")
# A negation before a list of verbs reaches the last one ("do not prevent, treat or cure").
_NEGATED_LIST = re.compile(r"\b(?:not|never|cannot|n't)\s+[a-z-]+(?:\s*,\s*[a-z-]+)*"
                           r"\s*,\s*(?:(?:or|nor|and)\s+)?$|\b(?:not|never|cannot|n't)\s+"
                           r"[a-z-]+(?:\s*,\s*[a-z-]+)+\s*,?\s*(?:or|nor|and)\s+$")
# An absolute that names a harm without denying it is made, not denied, by a negation before it
# ("Nothing in our formula can harm you", "Not one customer has reported a side effect"); not
# "harmless", "risk-free" or "no side effects", which a negation does deny.
_HARM = re.compile(r"harm|hurt|side[- ]?effect|risk|react|interact|irritat|danger|complain|toxic")
_NEGATIVE = re.compile(r"less|free|\b(?:no|not|never|zero|none|cannot|without)\b|n't|non-")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,})[\"“”]|(?<!\w)['‘]([^'‘’]{3,}?)['’](?!\w)")


@dataclass(frozen=True)
class Claim:
    """One claim found in a sentence.

    ``kind`` is ``disease``, ``hedged`` or ``absolute``; ``phrase`` the claim words as written
    ("lowers", "natural antibiotic", "100% safe"); ``condition`` the condition named, if any;
    ``start``/``end`` the offsets of the whole claim (phrase and condition) in the sentence.
    """

    kind: str
    phrase: str
    condition: str | None
    start: int
    end: int


def inflections(phrase: str) -> list[str]:
    """A verb phrase with its first word in every form (lemminflect's tables, irregular
    verbs included): "wipe out" -> "wipes out", "wiped out"...; "beat" -> "beaten".

    >>> inflections("shrink")
    ['shrank', 'shrink', 'shrinking', 'shrinks', 'shrunk', 'shrunken']
    """
    first, _, rest = phrase.partition(" ")
    return [f"{form} {rest}".strip() for form in sorted(_verb_forms(first))]


@lru_cache(maxsize=4096)
def _verb_forms(word: str) -> frozenset[str]:
    if not word.isalpha():  # "bye-bye", "self-destruct": lemminflect knows single words
        return frozenset({word})
    # a verb the tables lack ("remyelinate") is inflected by rule; so is a form given as
    # written ("diagnoses", whose rule-made forms are not words and match nothing)
    table = getAllInflections(word, upos="VERB") or getAllInflectionsOOV(word, upos="VERB")
    return frozenset({word, *(form for forms in table.values() for form in forms)})


# Words too common to pick a phrase by.
_FUNCTION_WORDS = frozenset(
    "a an the of with for your our their to in on at by from and or no not more most people "
    "get gets take takes off all any it its you is are be".split())


def anchor(words: Iterable[str]) -> str:
    """The word of a phrase least likely to be in any sentence: not a function word, not a
    familiar word (the Dale-Chall list) where the phrase has one, the longest of those."""
    easy = easy_words()
    return min(words, key=lambda w: (w in _FUNCTION_WORDS, w in easy, -len(w)))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """The words of lower-cased ``text`` with their offsets (apostrophes made straight)."""
    return tuple((m.group().replace("’", "'"), m.start(), m.end())
                 for m in _WORD.finditer(text))


@dataclass(frozen=True)
class _Hit:
    """Where a phrase matched, shaped like a regex match for the code that reads it."""

    text: str
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self) -> str:
        return self.text[self.begin:self.finish]


class Phrases:
    """Whole-word phrases found by their first word: a dictionary look-up per word of the
    text instead of a regular expression trying hundreds of alternatives at every character.

    >>> Phrases(["wipe out", "cure"], inflect=True).findall("it wipes out colds and cures")
    ['wipes out', 'cures']
    """

    def __init__(self, phrases: Iterable[str], *, inflect: bool = False) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            phrase = " ".join(phrase.lower().replace("’", "'").split())
            for form in (inflections(phrase) if inflect and phrase else [phrase]):
                words = tuple(w for w, _, _ in _tokens(form))
                if words:
                    self.by_first.setdefault(words[0], []).append(words)
        for options in self.by_first.values():
            options.sort(key=len, reverse=True)

    def match_at(self, tokens, i: int) -> int:
        """How many words of ``tokens`` from ``i`` on the longest phrase there covers (0)."""
        for words in self.by_first.get(tokens[i][0], ()):
            n = len(words)
            if all(i + k < len(tokens) and tokens[i + k][0] == words[k] for k in range(1, n)):
                return n
        return 0

    def finditer(self, text: str) -> list[_Hit]:
        """Non-overlapping matches in ``text`` (lower case), left to right."""
        tokens, hits, i = _tokens(text), [], 0
        while i < len(tokens):
            n = self.match_at(tokens, i) if tokens[i][0] in self.by_first else 0
            if n:
                hits.append(_Hit(text, tokens[i][1], tokens[i + n - 1][2]))
                i += n
            else:
                i += 1
        return hits

    def search(self, text: str) -> _Hit | None:
        hits = self.finditer(text)
        return hits[0] if hits else None

    def fullmatch(self, text: str) -> bool:
        hits = self.finditer(text)
        return len(hits) == 1 and hits[0].start() == 0 and hits[0].end() == len(text)

    def findall(self, text: str) -> list[str]:
        return [hit.group() for hit in self.finditer(text)]

    def anchors(self) -> set[str]:
        """One word of each phrase that any text holding the phrase holds too, the least
        common one (``anchor``): "effects" of "no side effects"."""
        found = {anchor(words) for options in self.by_first.values() for words in options}
        return found - _FUNCTION_WORDS


class ConditionIndex:
    """Condition terms looked up by word n-grams (faster than a regex of thousands of terms).

    Examples
    --------
    >>> index = ConditionIndex(["high blood pressure", "eczema", "h. pylori"])
    >>> [(m.group, m.start) for m in index.find("it clears eczema and high blood pressure")]
    [('eczema', 10), ('high blood pressure', 21)]
    """

    @dataclass(frozen=True)
    class Match:
        group: str
        start: int
        end: int
        kind: str = "disease"

    def __init__(self, terms: Iterable[str], kinds: Iterable[str] | None = None) -> None:
        self.terms: dict[str, str] = {}
        terms = list(terms)
        for term, kind in zip(terms, kinds if kinds is not None else ["disease"] * len(terms),
                              strict=True):
            key = self.key(term)
            for variant in _spellings(key):
                self.terms.setdefault(variant, kind)
                self.terms.setdefault(_singular(variant), kind)  # "cold sores": "cold sore"
        # the most words a term starting with each word has
        self.first: dict[str, int] = {}
        for k in self.terms:
            words = k.split()
            self.first[words[0]] = max(self.first.get(words[0], 0), len(words))
        self.anchors = {anchor(k.split()) for k in self.terms}
        # the words a misspelling is mended to: long enough that one slip cannot make another
        # (spelled without its apostrophe too: "alzhiemers" is one slip from "alzheimers")
        # and a one-word term in its plural ("migranes" is one slip from "migraines")
        words = [w for k in self.terms for w in k.split()]
        words += [k + "s" for k in self.terms if k.isalpha() and not k.endswith("s")]
        self._spellable: dict[str, str] = {}
        for w in words:
            bare = w.replace("'", "")
            if len(w) >= MIN_MENDED and bare.isalpha() and (
                    self._spellable.get(bare) not in self.terms):  # a whole term wins
                self._spellable[bare] = w
        self._mended: dict[str, str] = {}

    def mend(self, word: str) -> str:
        """``word``, or the vocabulary word it misspells by one letter added, dropped, changed
        or swapped ("diabeties", "alzhiemers", "psoraisis"): copy typed in a hurry names its
        conditions that way. Only a word of ``MIN_MENDED`` letters or more that is neither in
        the vocabulary nor an English word (the CMU dictionary) is mended.

        >>> ConditionIndex(["psoriasis"]).mend("psoraisis")
        'psoriasis'
        """
        mended = self._mended.get(word)
        if mended is None:
            mended = word
            if "-" in word and word.replace("-", "") in self.first:
                mended = word.replace("-", "")  # "pre-diabetes"
            elif (len(word) >= MIN_MENDED and word.isalpha() and word not in self.first
                    and _singular(word) not in self.first and word not in cmu_syllables()):
                near = [self._spellable[m] for m, _, _ in process.extract(
                    word, self._spellable.keys(), scorer=OSA.distance, score_cutoff=1,
                    limit=8)]
                # a whole term before a word of one ("migranes": "migraines", not "migrans"),
                # a familiar word before a rare one ("artritis": "arthritis", not "antritis")
                mended = min(near, key=lambda w: (_singular(w) not in self.terms,
                                                  w not in cmu_syllables(), near.index(w)),
                             default=word)
            self._mended[word] = mended
        return mended

    @staticmethod
    def built_like_disease(word: str) -> bool:
        """Whether ``word`` is built like a disease name the vocabulary lacks.

        >>> [ConditionIndex.built_like_disease(w) for w in ("coccidiosis", "diagnosis")]
        [True, False]
        """
        return (len(word) >= 5 and _DISEASE_ENDING.fullmatch(word) is not None
                and not _THERAPY_NAME.search(word) and word not in cmu_syllables())

    @staticmethod
    def key(text: str) -> str:
        return " ".join(_WORD.findall(text.lower().replace("’", "'")))

    def find(self, lower: str) -> list[ConditionIndex.Match]:
        """Non-overlapping terms in the lower-cased ``lower``, longest first at each word;
        a plural ("tumours", "viruses") finds its singular."""
        words = [(self.mend(w), a, b) for w, a, b in _tokens(lower)]
        found, i = [], 0
        while i < len(words):
            most = self.first.get(words[i][0]) or self.first.get(_singular(words[i][0]))
            if not most:
                if self.built_like_disease(words[i][0]):
                    found.append(self.Match(lower[words[i][1]:words[i][2]], words[i][1],
                                            words[i][2], "disease"))
                i += 1
                continue
            for n in range(min(most, len(words) - i), 0, -1):
                gram = " ".join(w for w, _, _ in words[i:i + n])
                kind = self.terms.get(gram) or self.terms.get(_singular(gram))
                if kind:
                    found.append(self.Match(lower[words[i][1]:words[i + n - 1][2]],
                                            words[i][1], words[i + n - 1][2], kind))
                    i += n
                    break
            else:
                i += 1
        return found


def _spellings(key: str) -> list[str]:
    """A term as copy may write it: without accents ("guillain-barre syndrome") and, for an
    eponym, without its possessive ("sjogrens syndrome", "sjogren syndrome").

    >>> _spellings("sjögren's syndrome")
    ["sjögren's syndrome", "sjogren's syndrome", 'sjogrens syndrome', 'sjogren syndrome']
    """
    if not key:
        return []
    plain = "".join(c for c in unicodedata.normalize("NFKD", key)
                    if not unicodedata.combining(c))
    forms = [key, plain]
    if "'s" in plain and not plain.endswith("'s"):  # "crohn's" alone stays: "crohns" mends
        forms += [plain.replace("'s ", "s ", 1), plain.replace("'s ", " ", 1)]
    return list(dict.fromkeys(forms))


@lru_cache(maxsize=65536)
def _singular(gram: str) -> str:
    for plural, single in (("ies", "y"), ("ses", "s"), ("es", "e"), ("s", "")):
        if gram.endswith(plural) and len(gram) > len(plural) + 2:
            return gram[: -len(plural)] + single
    return gram


@dataclass
class ClaimWords:
    """The word lists the claim rules are made of (the style guide's ``compliance.*_claim``
    rules and the shared ``compliance.context`` lists). See ``styleguide.yml``."""

    effect_verbs: list[str] = field(default_factory=list)
    agent_verbs: list[str] = field(default_factory=list)
    not_verbs_after: list[str] = field(default_factory=list)
    effect_before: list[str] = field(default_factory=list)
    effect_after: list[str] = field(default_factory=list)
    effect_split: list[str] = field(default_factory=list)
    drug_classes: list[str] = field(default_factory=list)
    drug_class_cues: list[str] = field(default_factory=list)
    drug_alternatives: list[str] = field(default_factory=list)
    drug_names: list[str] = field(default_factory=list)
    drug_comparisons: list[str] = field(default_factory=list)
    absolute: list[str] = field(default_factory=list)
    absolute_qualifiers: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    negations: list[str] = field(default_factory=list)
    negation_window: int = 4
    scoped_negations: list[str] = field(default_factory=list)
    negations_after: list[str] = field(default_factory=list)
    pseudo_triggers: list[str] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    disease_status: list[str] = field(default_factory=list)
    disclaimers: list[str] = field(default_factory=list)
    other_subjects: list[str] = field(default_factory=list)
    adverse: list[str] = field(default_factory=list)
    structure_function: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    editorial: list[str] = field(default_factory=list)
    enablers: list[str] = field(default_factory=list)
    label_cues: list[str] = field(default_factory=list)
    label_fillers: list[str] = field(default_factory=list)
    product_nouns: list[str] = field(default_factory=list)
    window: int = 8

    @classmethod
    def from_mapping(cls, data: Mapping) -> ClaimWords:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


class ClaimFinder:
    """Finds the claims a sentence asserts.

    Examples
    --------
    >>> finder = ClaimFinder(ClaimWords(effect_verbs=["lower", "cure"],
    ...     negations=["not", "no"], scoped_negations=["no evidence"], hedges=["may"]),
    ...     ["triglycerides", "eczema"])
    >>> [(c.kind, c.phrase, c.condition) for c in finder.find("Lowers triglycerides.")]
    [('disease', 'Lowers', 'triglycerides')]
    >>> finder.find("There is no evidence that it cures eczema.")
    []
    >>> [c.kind for c in finder.find("It may lower triglycerides.")]
    ['hedged']
    """

    def __init__(self, words: ClaimWords, conditions: Iterable[str],
                 kinds: Iterable[str] | None = None, medicines: Iterable[str] = ()) -> None:
        self.words = words
        self.conditions = ConditionIndex(conditions, kinds)
        self._verbs = Phrases(words.effect_verbs, inflect=True)
        self._agent_verbs = Phrases(words.agent_verbs, inflect=True)
        # "a lower risk", "a modest drop in pain": the word is a noun or adjective there
        self._not_verb_words = set(words.not_verbs_after)
        self._before = Phrases(words.effect_before, inflect=True)
        self._after = Phrases(words.effect_after, inflect=True)
        # "takes the redness of rosacea away": the condition stands between verb and particle
        self._split = [(Phrases([verb], inflect=True), Phrases([particle]))
                       for verb, _, particle in (p.partition(" ... ") for p in words.effect_split)
                       if particle]
        self._classes = Phrases(words.drug_classes)
        self._class_cues = Phrases(words.drug_class_cues)
        self._alternatives = Phrases(words.drug_alternatives)
        self._comparisons = Phrases(words.drug_comparisons, inflect=True)
        # what a product is compared with: the style guide's medicines and the packaged ones
        self._drugs = Phrases([*words.drug_names, *medicines])
        self._absolute = Phrases(words.absolute)
        self._qualifiers = Phrases(words.absolute_qualifiers)
        self._hedges = Phrases(words.hedges)
        self._negations = Phrases(words.negations)
        self._scoped = Phrases(words.scoped_negations)
        self._negated_after = Phrases(words.negations_after)
        self._pseudo = Phrases(words.pseudo_triggers, inflect=True)
        self._reported = Phrases(words.reported, inflect=True)
        self._warnings = Phrases(words.warnings)
        self._status = Phrases(words.disease_status)
        self._disclaimers = Phrases(words.disclaimers)
        self._others = Phrases([*words.other_subjects, *words.drug_names])
        self._adverse = Phrases(words.adverse)
        self._structure = Phrases(words.structure_function)
        self._label_cues = Phrases(words.label_cues)
        self._verdicts = set(words.verdicts)
        self._editorial = set(words.editorial)
        self._enablers = set(words.enablers)
        self._label_fillers = set(words.label_fillers)
        self._product_nouns = set(words.product_nouns)
        self._pseudo_of: tuple[str, list[tuple[int, int]]] = ("", [])
        # words that can start a claim, for the cheap pass that picks what to read closely
        self._effect_words = set().union(*(p.anchors() for p in (
            self._verbs, self._before, self._after, self._label_cues,
            *(p for _, p in self._split))))
        self._standalone_words = set().union(*(p.anchors() for p in (
            self._classes, self._alternatives, self._absolute)))
        self._comparison_words = self._comparisons.anchors()
        # a one-word label cue ("for") counts where it opens a clause (``claim_screen``)
        self._label_words = {w for w, options in self._label_cues.by_first.items()
                             if any(len(o) == 1 for o in options)}
        self._effect_first = set().union(self._label_cues.by_first, *(p.by_first for p in (
            self._verbs, self._before, self._after, *(v for v, _ in self._split))))
        self._class_first = set().union(self._classes.by_first, self._alternatives.by_first,
                                        self._comparisons.by_first)
        self._drug_words = self._drugs.anchors()

    @staticmethod
    def bare_word(token: str) -> str:
        """A whitespace token as the condition index spells a word ("(IBS)," -> "ibs")."""
        words = _tokens(token.lower())
        return words[0][0] if len(words) == 1 else " ".join(w for w, _, _ in words)

    @staticmethod
    def singular(word: str) -> str:
        return _singular(word)

    def word_flags(self, token: str) -> int:
        """What the words of one whitespace token may start, as bits: an effect phrase
        (``EFFECT``), a condition, a claim needing no condition, a comparison, a medicine.
        Each phrase is known by its longest word, the least common as a rule."""
        bits = 0
        for word, _, _ in _tokens(token.lower()):
            if word in self._effect_words:
                bits |= EFFECT
            if word in self.conditions.anchors or _singular(word) in self.conditions.anchors:
                bits |= CONDITION
            if word in self._standalone_words or _SUFFIXED.search(word) or (
                    word.startswith("anti-") and word[5:] in self.conditions.anchors):
                bits |= STANDALONE
            if word in self._comparison_words:
                bits |= COMPARISON
            if word in self._drug_words:
                bits |= DRUG
            if word in self._label_words:
                bits |= LABEL
        if self.hashtag_conditions(token):
            bits |= STANDALONE
        return bits

    def hashtag_conditions(self, text: str) -> list[re.Match]:
        """The hashtags of ``text`` that name a condition ("#lyme", "#anxiety")."""
        if "#" not in text:
            return []
        return [m for m in _HASHTAG.finditer(text)
                if self.conditions.find(m.group(1).lower().replace("_", " "))]

    # ------------------------------------------------------------------ candidates
    def candidates(self, sentence: str) -> list[Claim]:
        """Every claim the words of ``sentence`` could make, before context is weighed."""
        lower = sentence.lower()
        words = {w for w, _, _ in _tokens(lower)}
        found: list[Claim] = []
        # Most sentences hold no word a claim starts with: set tests spare them the scans.
        conditions = None
        if not words.isdisjoint(self._effect_first):
            conditions = self._targets(lower)
            if conditions:
                found += self._effects(sentence, lower, conditions, words)
                found += self._split_effects(sentence, lower, conditions, words)
                found += self._labels(sentence, lower, conditions)
                found += self._pronoun_effects(sentence, lower, conditions)
        if " from " in lower and " to " in lower:
            if conditions is None:
                conditions = self._targets(lower)
            found += self._from_to(sentence, lower, conditions)
        if _listing_title(sentence):
            found += [Claim("disease", sentence[c.start:c.end], sentence[c.start:c.end],
                            c.start, c.end)
                      for c in (conditions if conditions is not None
                                else self.conditions.find(lower))
                      if c.kind == "disease"][:1]
        if not words.isdisjoint(self._class_first):
            found += self._drug_classes(sentence, lower)
        if _SUFFIXED.search(lower):
            found += self._free_of(sentence, lower)
        if "anti-" in lower:
            found += [Claim("disease", sentence[m.start():m.end()], sentence[m.start(1):m.end()],
                            m.start(), m.end()) for m in _ANTI.finditer(lower)
                      if self.conditions.terms.get(ConditionIndex.key(m.group(1)))
                      and not _THE_DRUG_ITSELF.match(lower, m.end())]
        found += [Claim("disease", m.group(), m.group(1), m.start(), m.end())
                  for m in self.hashtag_conditions(sentence)]
        found += self._seller_voice(sentence, lower)
        before = _BEFORE.match(lower)
        if before:
            named = self.conditions.find(lower[before.end():])
            if named:
                at = before.end() + named[0].start
                found.append(Claim("disease", sentence[:before.end()].strip(),
                                   sentence[at:before.end() + named[0].end], 0,
                                   before.end() + named[0].end))
        if not words.isdisjoint(self._absolute.by_first):
            found += [Claim("absolute", sentence[m.start():m.end()], None, m.start(), m.end())
                      for m in self._absolute.finditer(lower) if not self._qualified(lower, m)]
        return sorted(found, key=lambda c: c.start)

    def _effects(self, sentence: str, lower: str, conditions, words: set[str]) -> list[Claim]:
        """Effect phrases with a condition after them (or, for ``effect_after``, before)."""
        found = []
        breaks = [m.start() for m in _PAIR_BREAK.finditer(lower)]
        for pattern, after in ((self._verbs, True), (self._before, True),
                               (self._after, False)):
            if words.isdisjoint(pattern.by_first):
                continue
            for m in pattern.finditer(lower):
                if any(c.start <= m.start() < c.end for c in conditions) or (
                        pattern is self._verbs and not m.group().endswith("ing")
                        and self._noun_before(lower, m.start())):
                    continue  # "heart attack", "a lower risk", "the gains are lower LDL"
                # a label's "Treats: cystitis, kidney infection": the colon opens the list
                colon = re.match(r"\s*:", lower[m.end():]) if after else None
                here = [b for b in breaks if not colon or b != m.end() + colon.end() - 1]
                near = [c for c in conditions if self._near(lower, m, c, after, here)
                        and (after or not _CONDITIONAL.search(lower[:c.start]))
                        and (c.kind != "agent" or pattern is not self._verbs
                             or self._agent_verbs.fullmatch(m.group()))
                        and not (after and self._negated_between(lower, m.end(), c.start))]
                if near and not after and self._negated_between(lower, near[-1].end,
                                                                m.start()):
                    continue  # "type 1 diabetes cannot currently be cured"
                if near and not after and self._product_name(lower, near[-1], m):
                    continue  # "next to the cough drops"
                if near:
                    c = near[0] if after else near[-1]
                    start, end = min(m.start(), c.start), max(m.end(), c.end)
                    found.append(Claim("disease", sentence[m.start():m.end()],
                                       sentence[c.start:c.end], start, end))
        return found

    def _targets(self, lower: str) -> list:
        """The conditions of ``lower`` an effect can be claimed on: not a service named after
        one ("free blood pressure checks", "a diabetes education class")."""
        return [c for c in self.conditions.find(lower) if not _SERVICE.match(lower, c.end)]

    def _product_name(self, lower: str, condition, effect: re.Match) -> bool:
        """Whether a condition and the effect word right after it name a product ("the
        cough drops", "a cough syrup."), not the condition falling ("my blood pressure drops
        within minutes")."""
        return (effect.group() in self._product_nouns
                and not lower[condition.end:effect.start()].strip()
                and _DETERMINER_BEFORE.search(lower, 0, condition.start) is not None
                and _NOUN_ENDS.match(lower, effect.end()) is not None)

    @staticmethod
    def _from_to(sentence: str, lower: str, conditions) -> list[Claim]:
        """A condition or marker moved from one reading to a better one by what the sentence
        sells ("took my A1C from 7.9 to 5.8", "my ferritin dropped from 8 to 45"), the shape
        testimonials give their numbers in."""
        found = []
        for c in conditions:
            moved = _MOVED_FROM_TO.match(lower, c.end)
            if moved and (moved.group(1) or _TOOK.search(lower, 0, c.start)):
                found.append(Claim("disease", sentence[c.start:moved.end()].strip(),
                                   sentence[c.start:c.end], c.start, moved.end()))
        return found

    def _pronoun_effects(self, sentence: str, lower: str, conditions) -> list[Claim]:
        """An effect on "it" after a condition the sentence named ("Most IBS is
        parasites, and our cleanse fixes it for good", "sufferers, this balm heals it")."""
        found = []
        for m in self._verbs.finditer(lower):
            pronoun = _PRONOUN.match(lower, m.end())
            if pronoun:
                found += self._on_pronoun(sentence, lower, conditions, m.start(), pronoun.end())
        for m in self._after.finditer(lower):
            subject = _PRONOUN_SUBJECT.search(lower, max(0, m.start() - 20), m.start())
            if subject:
                found += self._on_pronoun(sentence, lower, conditions, subject.start(), m.end())
        return found

    def _on_pronoun(self, sentence: str, lower: str, conditions, start: int, end: int
                    ) -> list[Claim]:
        """The claim of an effect at ``start:end`` on a pronoun, about the last condition
        named before it, if any."""
        if self._status.search(lower) or self._scoped.search(lower):
            return []  # "no cure for COPD, but treatment can slow it down"
        named = [c for c in conditions if c.end <= start]
        # not '"anxiety cure" stayed in the metadata until they removed it'
        if not named or self._noun_before(lower, start) or _inside_quotes(
                sentence, named[-1].start, named[-1].end):
            return []
        # "them" may be anything plural the sentence named ("compounds that cause vomiting
        # ... cooking removes them"): only conditions the sentence opens with are its topic
        if lower[start:end].endswith("them") and len(_WORD.findall(lower[:named[0].start])) > 3:
            return []
        c = named[-1]
        return [Claim("disease", sentence[start:end], sentence[c.start:c.end], start, end)]

    def _labels(self, sentence: str, lower: str, conditions) -> list[Claim]:
        """A label's use line: a clause that opens with "for" or says "ideal for" and then
        only lists conditions ("For shingles pain & blisters.", "- for seizures, anxiety &
        PTSD", "Ideal for GERD and SIBO sufferers")."""
        found = []
        for cue in self._label_cues.finditer(lower):
            # "Indications: Madhumeha (diabetes mellitus), burning feet": a heading's list
            # runs to the sentence's end and may name what the vocabulary lacks
            colon = re.match(r"\s*:", lower[cue.end():])
            clause_start, clause_end = _clause(lower, cue.start(), cue.end(), _CLAUSE_BREAK)
            if colon:
                clause_end = len(lower)
            lead = _WORD.findall(lower[clause_start:cue.start()])
            # "for people with" is a bare "for" too: "results were less clear for people
            # with fibromyalgia" is no label
            bare = " " not in cue.group() or _FOR_WHOM.fullmatch(cue.group()) is not None
            product = bool(lead) and bare and (
                lead[-1] in self._product_nouns
                or self._product_line(lead, _WORD.findall(sentence[:cue.start()])))
            if lead and bare and not product:
                continue
            rest = [c for c in conditions if cue.end() <= c.start and c.end <= clause_end]
            # after a product's name the list may run on ("Kawakawa balm for excema,
            # ringworm and cold sores, made in Northland") if a condition opens it
            gap = len(_WORD.findall(lower[cue.end():rest[0].start])) if rest else 0
            # "designed for fibromyalgia and CFS, and that is where it shines": a purpose
            # ("designed for", "indicated for") needs no label's shape around it
            purpose = cue.group().endswith("ed for")
            if rest and (colon or ((product or purpose) and gap <= 1)
                         or self._only_fillers(lower, rest, cue.end(), clause_end)):
                found.append(Claim("disease", sentence[cue.start():cue.end()],
                                   sentence[rest[0].start:rest[0].end], cue.start(),
                                   rest[0].end))
        return found

    def _seller_voice(self, sentence: str, lower: str) -> list[Claim]:
        """The seller's product or buyers and a disease in one clause ("our NAC protocol
        gave families their evenings back from OCD"); not a visit ("our clinic sees patients
        with varicose veins")."""
        found = []
        if _VISIT.search(lower):
            return found
        own = None
        for m in re.finditer(r"\bour\b", lower):
            following = _WORD.findall(lower[m.end():m.end() + 60])[:4]
            if any(w in self._product_nouns or w in _BUYERS for w in following):
                own = m
                break
        if not own:
            return found
        for c in self.conditions.find(lower):
            if c.kind != "disease":
                continue
            start, end = min(own.start(), c.start), max(own.end(), c.end)
            if any(start <= b < end for b in (m.start() for m in _PAIR_BREAK.finditer(lower))):
                continue
            if self._negated_between(lower, start, end):
                continue
            found.append(Claim("disease", sentence[own.start():own.end()],
                               sentence[c.start:c.end], start, end))
            break
        return found

    @staticmethod
    def _product_line(lead: list[str], before: list[str]) -> bool:
        """Whether the words of the clause before a bare "for" (``lead``) name a product and
        do nothing else ("Apis 30C for UTIs", "Jamu Kunyit Asam - traditional drink for
        painful period cramps"): at most four words, none a verb form, and a name in the
        sentence so far (``before``: a made-up or foreign word, or a capital inside the
        sentence); not "Researchers studied yoga for back pain", "Results for low back pain"."""
        return (len(lead) <= 4 and not any(_is_verb_form(w) for w in lead)
                and any((w[:1].isupper() and i > 0) or (
                    w.isalpha() and w.lower() not in cmu_syllables())
                        for i, w in enumerate(before)))

    def _pseudo_spans(self, lower: str) -> list[tuple[int, int]]:
        """Where the pseudo-triggers of ``lower`` stand (read once per sentence: every
        candidate's context and every condition-before-effect pair ask)."""
        if self._pseudo_of[0] != lower:
            self._pseudo_of = (lower, [(m.start(), m.end())
                                       for m in self._pseudo.finditer(lower)])
        return self._pseudo_of[1]

    def _negated_between(self, lower: str, start: int, end: int) -> bool:
        """A negation between a condition and its effect ("diabetes cannot be cured", "calming
        chews are not a replacement for epilepsy medication"), not one of a pseudo-trigger
        ("pain doesn't stand a chance")."""
        pseudo = self._pseudo_spans(lower)
        return any(not any(a <= start + n.start() < b for a, b in pseudo)
                   for n in self._negations.finditer(lower[start:end]))

    def _free_of(self, sentence: str, lower: str) -> list[Claim]:
        """ "Migraine-free in 30 days", "inhaler-free", "cholesterol-busting": freedom from a
        condition, or a fight against it."""
        found = []
        for m in _FREE_OF.finditer(lower):
            # the two words before "-free", or the last alone ("stay cold-free")
            for at in (m.start(1), m.start(1) + len(m.group(1).rsplit(" ", 1)[0]) + 1):
                if self.conditions.terms.get(ConditionIndex.key(lower[at:m.end(1)])):
                    found.append(Claim("disease", sentence[at:m.end()],
                                       sentence[at:m.end(1)], at, m.end()))
                    break
        return found

    def topic(self, sentence: str) -> str | None:
        """The condition a headline question names ("Candida overgrowth?", "Tinnitus?"), which
        the next sentence's claim is about, or None."""
        text = sentence.strip()
        if not text.endswith("?") or len(_WORD.findall(text)) > 5:
            return None
        found = self.conditions.find(text.lower())
        return text[:-1].strip() if found else None

    def _only_conditions(self, text: str) -> bool:
        """Whether ``text`` names conditions and nothing else but label fillers ("Anxiety and
        panic disorder", not "Rosacea is a chronic condition")."""
        lower = text.lower()
        named = self.conditions.find(lower)
        return bool(named) and self._only_fillers(lower, named, 0, len(lower))

    def _only_fillers(self, lower: str, conditions, start: int, end: int) -> bool:
        """Whether ``lower[start:end]`` holds nothing but ``conditions`` (matches inside it, in
        order), label fillers and numbers."""
        left, at = [], start
        for c in conditions:
            left += _WORD.findall(lower[at:c.start])
            at = c.end
        left += _WORD.findall(lower[at:end])
        return all(w in self._label_fillers or w.isdigit() for w in left)

    def _answers(self, sentence: str, answer_at: int) -> list[Claim]:
        """The claims of a headline question's answer: its own, or else an effect phrase
        there said of the question's condition ("Melanoma? Our paste lifts it clean off.")."""
        found = self.candidates(sentence)
        if any(claim.kind == "disease" for claim in found):
            return found
        lower = sentence.lower()
        topic = sentence[:answer_at].strip()
        for pattern in (self._verbs, self._after, *(verbs for verbs, _ in self._split)):
            hit = next((m for m in pattern.finditer(lower[answer_at:])
                        if not self._noun_before(lower, answer_at + m.start())), None)
            if hit:
                found.append(Claim("disease", hit.group(), topic, 0, answer_at + hit.end()))
                break
        else:
            # "Anemia? Our liquid iron tonic raises hemoglobin fast.": the product is the
            # answer (not "Arthritis? Our guide explains the options.")
            own = _OWN.search(lower, answer_at)
            noun = _WORD.search(lower, own.end()) if own else None
            dose = _DOSE.search(lower, answer_at)
            if own and not self._others.search(lower[own.end():]) and not (
                    noun and noun.group() in self._editorial):
                found.append(Claim("disease", sentence[own.start():own.end()], topic, 0,
                                   own.end()))
            elif dose:  # "Sinus infection? Nasal rinse twice daily."
                found.append(Claim("disease", dose.group(), topic, 0, dose.end()))
        return sorted(found, key=lambda c: c.start)

    def _noun_before(self, lower: str, at: int) -> bool:
        """Whether the word before offset ``at`` makes the next one a noun or adjective (not
        across a mark: "Bone Guard for Her - stops bone loss")."""
        before = _tokens(lower[:at])
        return bool(before) and before[-1][0] in self._not_verb_words and (
            not lower[before[-1][2]:at].strip())

    def _split_effects(self, sentence: str, lower: str, conditions, words: set[str]
                       ) -> list[Claim]:
        found = []
        for verbs, particles in self._split:
            if words.isdisjoint(verbs.by_first) or words.isdisjoint(particles.by_first):
                continue
            for verb in verbs.finditer(lower):
                gap = lower[verb.end():]
                ends = [p for p in particles.finditer(gap)
                        if 1 <= len(_tokens(gap[:p.start()])) <= 8]
                if not ends:
                    continue
                stop = verb.end() + ends[0].end()
                inside = [c for c in conditions
                          if verb.end() <= c.start and c.end <= verb.end() + ends[0].start()]
                if inside:
                    found.append(Claim("disease", sentence[verb.start():stop],
                                       sentence[inside[0].start:inside[0].end],
                                       verb.start(), stop))
                elif ends[0].group().endswith((" of", " from")) and (after := [
                        c for c in conditions if stop < c.start
                        and len(_WORD.findall(lower[stop:c.start])) <= 2]):
                    # "takes the burn out of diabetic nerve pain"
                    found.append(Claim("disease", sentence[verb.start():stop],
                                       sentence[after[0].start:after[0].end],
                                       verb.start(), after[0].end))
                elif gap[:ends[0].start()].split() in (["it"], ["them"]):
                    # "hives every night, and the quercetin calmed them down"
                    found += self._on_pronoun(sentence, lower, conditions, verb.start(), stop)
        return found

    def _near(self, lower: str, effect: re.Match, condition, after: bool,
              breaks: list[int]) -> bool:
        a, b = (effect.end(), condition.start) if after else (condition.end, effect.start())
        # "sorisis, excema, rosacea - GONE": only a dash between a condition and its effect
        dashed = not after and _DASH_ONLY.fullmatch(lower, a, b) is not None
        if b < a or (any(a <= x < b for x in breaks) and not dashed):
            return False
        # "helps maintain healthy blood sugar levels": structure/function, not a disease claim;
        # but said of a disease it is one ("restores a normal heart rhythm in people with AFib")
        if condition.kind in ("marker", "symptom") and self._structure.search(
                lower[min(a, effect.start()):max(b, condition.end)]):
            return False
        # a condition that makes something happen is no target ("sleep apnea makes breathing
        # stop")
        if not after and _CAUSES.search(lower, a, b):
            return False
        # a condition before its effect is its subject: "tumours were shrunk", "gout stops"
        return len(_WORD.findall(lower[a:b])) <= (self.words.window if after else 4)

    def _drug_classes(self, sentence: str, lower: str) -> list[Claim]:
        found = []
        for m in self._classes.finditer(lower):
            before = lower[max(0, m.start() - 40):m.start()]
            cue = list(self._class_cues.finditer(before))
            # "a natural antibiotic", "antifungal properties"; not "antibiotics" (the drugs)
            follows = re.match(r"\s+(?:properties|effects?|action|activity|power|agent|"
                               r"compounds?|herb|remedy|blend|complex|formula|oil|and|or|potential|benefits?|"
                               r"punch|boost|support)\b",
                               lower[m.end():])
            # "a standard antibiotic course", "anti-inflammatory painkillers": the drug itself
            if _THE_DRUG_ITSELF.match(lower, m.end()):
                continue
            if cue and cue[-1].end() >= len(before.rstrip()) - 30 or follows or m.start() == 0:
                found.append(Claim("disease", sentence[m.start():m.end()], None,
                                   m.start(), m.end()))
        # "better than Prozac", "off your blood pressure tablets", "a natural statin"
        found += [Claim("disease", sentence[m.start():m.end()], None, m.start(), m.end())
                  for m in self._alternatives.finditer(lower)]
        for m in self._comparisons.finditer(lower):
            after = lower[m.end():]
            drug = next((d for d in self._drugs.finditer(after)
                         if len(_tokens(after[:d.start()])) <= 2), None)
            if drug:
                end = m.end() + drug.end()
                found.append(Claim("disease", sentence[m.start():end], None, m.start(), end))
        return found

    def _qualified(self, lower: str, absolute: re.Match) -> bool:
        """An absolute with a qualifier within three words of it, between the same commas, is
        not absolute ("usually harmless", "harmless for most people"; but "no needles, no
        drugs, no risk" is)."""
        start, end = _clause(lower, absolute.start(), absolute.end(), _SUBJECT_BREAK)
        before = _WORD.findall(lower[start:absolute.start()])[-3:]
        after = _WORD.findall(lower[absolute.end():end])[:3]
        near = " ".join([*before, "|", *after])
        bar = len(" ".join(before))
        # "non-toxic and can never harm you": a negation after it adds to the absolute
        return any(m.group() not in absolute.group()
                   and (m.start() < bar or m.group() not in _NEGATING_QUALIFIERS)
                   for m in self._qualifiers.finditer(near))

    # ------------------------------------------------------------------ context
    def context_of(self, sentence: str, start: int, end: int,
                   own: tuple[int, int] | None = None) -> str:
        """``asserted``, ``hedged`` or ``not asserted`` for the claim at
        ``sentence[start:end]``; words in ``own`` (offsets) are the claim's and never
        trigger ("there are no side effects" is not a negated "side effects")."""
        lower = sentence.lower()
        verdict = _VERDICT.match(lower)
        if verdict and verdict.end() <= start and verdict.group(1) in self._verdicts:
            return NOT_ASSERTED
        rhetorical = _RHETORICAL.match(lower)
        rhetorical = rhetorical if rhetorical and start >= rhetorical.end() else None
        asks = sentence.rstrip(" \"'”’)").endswith("?") and not rhetorical
        if (self._disclaimers.search(lower) or asks
                or (_ASKS.match(lower) and "?" in lower[end:] and not rhetorical)
                or _inside_quotes(sentence, start, end)
                or (_CONDITIONAL.search(lower[:start]) and not rhetorical)):
            return NOT_ASSERTED
        clause_start, clause_end = _clause(lower, start, end, _CLAUSE_BREAK)
        clause = lower[clause_start:clause_end]
        # "Nothing in it can harm you", "Not one customer has reported a side effect"
        made_by_negation = bool(own and _HARM.search(lower, start, end)
                                and not _NEGATIVE.search(lower, start, end))
        # Triggers count before the claim and inside it ("a folk remedy for eczema"), not in
        # the pseudo-triggers that only look like them.
        upto = lower[clause_start:end]
        said, _ = _clause(lower, start, end, _ATTRIBUTION_BREAK)
        pseudo = self._pseudo_spans(lower) + (
            [own] if own else [])
        if (self._triggered(self._scoped, clause, clause_start, pseudo)
                or (not made_by_negation
                    and self._negated_near(lower[clause_start:start], clause_start, pseudo))
                or (not made_by_negation
                    and self._opening_negation(lower, clause_start, start, pseudo,
                                               list_item=own is not None))
                or self._triggered(self._negated_after, lower[end:], end, pseudo)
                or self._triggered(self._reported, lower[said:end], said,
                                   pseudo + self._hedge_spans(lower))
                or self._triggered(self._warnings, lower[:end], 0, pseudo)
                or self._status.search(clause)
                # a harm ("can lower blood sugar too much") undoes an effect, not a promise
                # of safety ("harmless, even if you take ten times the dose")
                or (own is None and self._triggered(self._adverse, clause, clause_start,
                                                    pseudo))):
            return NOT_ASSERTED
        subject_start, _ = _clause(lower, start, end, _SUBJECT_BREAK)
        if any(not _own_product(sentence, subject_start, m.start())
               and not (m.group().startswith("your ")
                        and self._enabled(lower, subject_start + m.start()))
               and not self._object_of_verb(lower, subject_start + m.start())
               for m in self._others.finditer(lower[subject_start:start])):
            return NOT_ASSERTED
        # A hedge before the claim or in it ("may lower"), or a longer one after it in its
        # clause up to a comma ("...calms seizures is not well understood"); not "so blood
        # can flow", not an aside ("undoes fatty liver, which touches one in four adults").
        after = lower[end:clause_end].split(",", 1)[0]
        # "cavities CAN heal!!": a modal in capitals insists, it does not hedge
        insisting = [(m.start(), m.end()) for m in _INSISTING.finditer(sentence)]
        if self._triggered(self._hedges, upto, clause_start, pseudo + insisting) or any(
                " " in m.group() for m in self._hedges.finditer(after)):
            return HEDGED
        return ASSERTED

    def _object_of_verb(self, lower: str, at: int) -> bool:
        """Whether the words at ``at`` are a verb's object ("resets the immune system and puts MS
        into remission"), not the subject of the claim after them ("the immune system fights"); a
        verb that only lends the body a hand ("helps the body clear") leaves it the subject."""
        before = _WORD.findall(lower[max(0, at - 30):at])
        if not before or before[-1] in _AUXILIARIES or before[-1] in self._enablers:
            return False
        lemmas = getAllLemmas(before[-1])
        return "VERB" in lemmas and before[-1] != lemmas["VERB"][0] and before[-1].endswith("s")

    def _enabled(self, lower: str, at: int) -> bool:
        """Whether the reader's body at ``at`` is the product's means ("helps your body flush
        out", "arm your immune system to fight off"), not the claim's subject."""
        before = _tokens(lower[:at])
        return bool(before) and before[-1][0] in self._enablers

    def _hedge_spans(self, lower: str) -> list[tuple[int, int]]:
        """Impersonal hedges ("is thought to", "it is believed that"): their verb is a hedge
        there, not a report of someone's claim ("many people believe" still reports)."""
        return [(m.start(), m.end()) for m in self._hedges.finditer(lower)
                if m.group().split()[0] in ("is", "are", "it")]

    def _opening_negation(self, lower: str, clause_start: int, start: int, pseudo,
                          list_item: bool = False) -> bool:
        """ "No herb has been shown to...", "After a year, none of them did better than...":
        the subject of the claim's clause, or of its stretch after a comma, is negated. An
        absolute is read in its own stretch only: "no needles, no drugs, no risk" lists it."""
        stretch = lower.rfind(",", clause_start, start) + 1
        for at in (stretch,) if list_item and stretch else (clause_start, stretch):
            if at <= 0 and clause_start > 0:
                continue
            lead = len(lower[at:]) - len(lower[at:].lstrip())
            m = _OPENING_NEGATION.match(lower, at + lead)
            if m and not any(m.start() < b and a < m.end() for a, b in pseudo):
                return True
        return False

    @staticmethod
    def _triggered(pattern: re.Pattern, text: str, offset: int, pseudo) -> bool:
        """Whether a trigger of ``pattern`` stands in ``text`` outside every pseudo-trigger."""
        return any(not any(offset + m.start() < b and a < offset + m.end() for a, b in pseudo)
                   for m in pattern.finditer(text))

    def _negated_near(self, before: str, offset: int, pseudo) -> bool:
        """A short negation ("not", "never") within ``negation_window`` words before, in the
        same stretch between commas ("none, it is risk-free" is a claim)."""
        listed = _NEGATED_LIST.search(before)
        if listed and not any(a <= offset + listed.start() < b for a, b in pseudo):
            return True  # "do not prevent, treat or cure COVID-19"
        comma = before.rfind(",") + 1
        before, offset = before[comma:], offset + comma
        words = list(_WORD.finditer(before))
        if not words:
            return False
        reach = words[max(0, len(words) - self.words.negation_window)].start()
        # "won't flush toxins out or bring down blood pressure": one negation for both
        alternative = before.rfind(" or ")
        if alternative > 0 and " and " not in before[alternative:]:
            reach = 0
        return any(m.end() > reach and not any(a <= offset + m.start() < b for a, b in pseudo)
                   for m in self._negations.finditer(before))

    def find(self, sentence: str) -> list[Claim]:
        """The claims ``sentence`` asserts: disease (hedged ones as ``hedged``) and absolute,
        at most one of each kind (the first). A headline question and its answer ("Candida
        overgrowth? Knocked out in 10 days."), or conditions as a heading and their promise
        ("Anxiety and panic disorder: calmed naturally."), are read as one statement."""
        headline = _HEADLINE.match(sentence)
        candidates = None
        if headline and (
                (sentence[headline.end(1):headline.start(2)].strip() == "?"
                 and self.topic(headline.group(1) + "?"))
                or self._only_conditions(headline.group(1))):
            sentence = f"{headline.group(1)} {headline.group(2)}"
            candidates = self._answers(sentence, len(headline.group(1)) + 1)
        found, kinds = [], set()
        for claim in candidates if candidates is not None else self.candidates(sentence):
            own = (claim.start, claim.end) if claim.kind == "absolute" else None
            context = self.context_of(sentence, claim.start, claim.end, own)
            if context == NOT_ASSERTED:
                continue
            kind = "hedged" if context == HEDGED and claim.kind == "disease" else claim.kind
            if kind not in kinds:
                kinds.add(kind)
                found.append(Claim(kind, claim.phrase, claim.condition, claim.start, claim.end))
        return found


def _clause(lower: str, start: int, end: int, breaks: re.Pattern) -> tuple[int, int]:
    """The clause around ``lower[start:end]``: from the last break before it to the first
    break after it."""
    clause_start, clause_end = 0, len(lower)
    for m in breaks.finditer(lower):
        if m.end() <= start:
            clause_start = m.end()
        elif m.start() >= end:
            clause_end = m.start()
            break
    return clause_start, clause_end


_AUXILIARIES = frozenset("is are was were be been being has have had do does did can could may "
                         "might will would should must shall".split())


@lru_cache(maxsize=65536)
def _is_verb_form(word: str) -> bool:
    """Whether ``word`` is an auxiliary or a verb's inflected form that is no noun's
    ("studied", "tested"; not "drops", "baths")."""
    if word in _AUXILIARIES:
        return True
    lemmas = getAllLemmas(word)
    verb = lemmas.get("VERB", (word,))
    return verb[0] != word and "NOUN" not in lemmas


def _listing_title(sentence: str) -> bool:
    """Whether ``sentence`` is a shop listing's title, which names what the product is for: a
    run of capitalised words with no sentence's end ("Eye Drops 10ml Cataract Treatment Blurred
    Vision Relief", "Rhinitis Nasal Spray Chinese Herb Sinusitis Treatment")."""
    if sentence.rstrip().endswith((".", "?", "!", '"', "”")):
        return False
    words = [w for w in _WORD.findall(sentence) if w[:1].isalpha()]
    return len(words) >= 6 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _own_product(sentence: str, subject_start: int, at: int) -> bool:
    """Whether the medicine word at ``at`` (offset from ``subject_start``) names the seller's
    own product: "our medicine clinic", "these pills", a brand among the three words before it
    ("Qing Fei pills", "GlucoBalance tablets", "Ya Dom herbal inhaler"); not "statins", "your
    GP" or "Blood pressure tablets"."""
    before = sentence[subject_start:subject_start + at]
    words = _WORD.findall(before)
    if not words:
        return False
    last = words[-1]
    # a capital that does not just open the sentence ("Ya Dom herbal inhaler"), or a
    # made-up word ("GlucoBalance")
    recent = words[-3:]
    opening = len(words) - len(recent)
    return bool(_OWN.search(before.lower())) or last.lower() in _THERAPY_KINDS or any(
        w[:1].isupper() and opening + i > 0 for i, w in enumerate(recent)) or (
        last[:1].isupper() and (any(c.isupper() for c in last[1:])
                                or last.lower() not in cmu_syllables()))


def _inside_quotes(sentence: str, start: int, end: int) -> bool:
    """Whether the claim, or the condition it ends with, stands in quotation marks
    ('testimonials like "it cleared my psoriasis"', 'remove the phrase "treats COVID-19"'),
    other than the seller's attributed testimonial."""
    return any(m.start() < end - 1 < m.end() and (m.start() < start or end <= m.end())
               and not (_ATTRIBUTED.match(sentence, m.end())
                        or _NAMED.search(sentence[:m.start()]))
               for m in _QUOTED.finditer(sentence))
