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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: What the context step decides for a candidate.
ASSERTED, HEDGED, NOT_ASSERTED = "asserted", "hedged", "not asserted"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*")
# A clause ends at these; a trigger's reach (its scope) ends with its clause.
_CLAUSE_BREAK = re.compile(
    r"[;:!?()\[\]—–]|\s-\s|\.\s|,\s*(?:but|yet|so|and\s+so)\b"
    r"|\b(?:but|however|although|though|whereas|except|while)\b")
# Attribution ("people use it to...", "sellers claim...") reaches further: through commas and
# "while", up to a contrast or a semicolon.
_ATTRIBUTION_BREAK = re.compile(
    r"[;!?()\[\]]|\.\s|\b(?:but|however|yet|although|though|whereas)\b")
# "If anxiety is stopping you...": a condition in a conditional clause is no claim's subject.
_CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless)\b[^,;:]*$")
# Between an effect and its condition: a clause break, or a subordinate clause that makes the
# condition something else's object ("remove the seeds if you notice itching").
_PAIR_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|,\s+(?:and|or)\b"
                         + r"|\b(?:if|when|whether|unless|because|since|who|which)\b")
# For "whose claim is it": a comma also starts a new subject ("Unlike antibiotics, it...").
_SUBJECT_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|,")
# "No herb has been shown to...", "None of these cures...": the subject itself is negated.
_OPENING_NEGATION = re.compile(r"(?:no|none|neither|nothing|not)\b(?!,)")
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
    """A verb phrase with its first word inflected: "wipe out" -> "wipes out", "wiped out"..."""
    first, _, rest = phrase.partition(" ")
    forms = {first, first + "s", first + "es", first + "ed", first + "d", first + "ing"}
    if first.endswith("e"):
        forms |= {first[:-1] + "ing"}
    if first.endswith("y") and len(first) > 2 and first[-2] not in "aeiou":
        forms |= {first[:-1] + "ies", first[:-1] + "ied"}
    if re.fullmatch(r"[a-z]*[^aeiou][aeiou][bdgmnpt]", first):
        forms |= {first + first[-1] + "ed", first + first[-1] + "ing"}
    return [f"{form} {rest}".strip() for form in sorted(forms)]


def _alternation(phrases: Iterable[str], *, inflect: bool = False) -> re.Pattern:
    """Whole-word alternation of ``phrases`` (lower case), longest first; ``{condition}`` and
    other placeholders are not allowed here."""
    words = set()
    for phrase in phrases:
        phrase = " ".join(phrase.lower().split())
        if phrase:
            words.update(inflections(phrase) if inflect else [phrase])
    if not words:
        return re.compile(r"(?!x)x")
    body = "|".join(r"\s+".join(re.escape(w).replace("'", "['’]") for w in p.split())
                    for p in sorted(words, key=lambda p: (-len(p), p)))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


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
            if key:
                self.terms.setdefault(key, kind)
                self.terms.setdefault(_singular(key), kind)  # "cold sores" finds "cold sore"
        self.longest = max((len(k.split()) for k in self.terms), default=0)

    @staticmethod
    def key(text: str) -> str:
        return " ".join(_WORD.findall(text.lower().replace("’", "'")))

    def find(self, lower: str) -> list[ConditionIndex.Match]:
        """Non-overlapping terms in the lower-cased ``lower``, longest first at each word;
        a plural ("tumours", "viruses") finds its singular."""
        words = list(_WORD.finditer(lower))
        found, i = [], 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                gram = " ".join(w.group() for w in words[i:i + n])
                kind = self.terms.get(gram) or self.terms.get(_singular(gram))
                if kind:
                    found.append(self.Match(lower[words[i].start():words[i + n - 1].end()],
                                            words[i].start(), words[i + n - 1].end(), kind))
                    i += n
                    break
            else:
                i += 1
        return found


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
                 kinds: Iterable[str] | None = None) -> None:
        self.words = words
        self.conditions = ConditionIndex(conditions, kinds)
        self._verbs = _alternation(words.effect_verbs, inflect=True)
        self._agent_verbs = _alternation(words.agent_verbs, inflect=True)
        # "a lower risk", "a modest drop in pain": the word is a noun or adjective there
        self._not_verb = re.compile(
            r"(?:" + _alternation(words.not_verbs_after).pattern + r")\s+$")
        self._before = _alternation(words.effect_before, inflect=True)
        self._after = _alternation(words.effect_after, inflect=True)
        # "takes the redness of rosacea away": the condition stands between verb and particle
        self._split = [re.compile(_alternation([verb], inflect=True).pattern
                                  + r"((?:\s+\S+){1,8}?)\s+" + re.escape(particle) + r"\b")
                       for verb, _, particle in (p.partition(" ... ") for p in words.effect_split)
                       if particle]
        self._classes = _alternation(words.drug_classes)
        self._class_cues = _alternation(words.drug_class_cues)
        self._alternatives = _alternation(words.drug_alternatives)
        self._compared = re.compile(
            _alternation(words.drug_comparisons).pattern + r"(?:\s+[\w'’-]+){0,2}?\s+"
            + _alternation(words.drug_names).pattern)
        self._absolute = _alternation(words.absolute)
        self._qualifiers = _alternation(words.absolute_qualifiers)
        self._hedges = _alternation(words.hedges)
        self._negations = _alternation(words.negations)
        self._scoped = _alternation(words.scoped_negations)
        self._negated_after = _alternation(words.negations_after)
        self._pseudo = _alternation(words.pseudo_triggers, inflect=True)
        self._reported = _alternation(words.reported, inflect=True)
        self._warnings = _alternation(words.warnings)
        self._status = _alternation(words.disease_status)
        self._disclaimers = _alternation(words.disclaimers)
        self._others = _alternation([*words.other_subjects, *words.drug_names])
        self._adverse = _alternation(words.adverse)
        self._structure = _alternation(words.structure_function)

    # ------------------------------------------------------------------ candidates
    def candidates(self, sentence: str) -> list[Claim]:
        """Every claim the words of ``sentence`` could make, before context is weighed."""
        lower = sentence.lower()
        conditions = self.conditions.find(lower)
        found = self._effects(sentence, lower, conditions)
        found += self._split_effects(sentence, lower, conditions)
        found += self._drug_classes(sentence, lower)
        found += [Claim("absolute", sentence[m.start():m.end()], None, m.start(), m.end())
                  for m in self._absolute.finditer(lower) if not self._qualified(lower, m)]
        return sorted(found, key=lambda c: c.start)

    def _effects(self, sentence: str, lower: str, conditions) -> list[Claim]:
        """Effect phrases with a condition after them (or, for ``effect_after``, before)."""
        found = []
        breaks = [m.start() for m in _PAIR_BREAK.finditer(lower)]
        for pattern, after in ((self._verbs, True), (self._before, True),
                               (self._after, False)):
            for m in pattern.finditer(lower):
                if any(c.start <= m.start() < c.end for c in conditions) or (
                        pattern is self._verbs and not m.group().endswith("ing")
                        and self._not_verb.search(lower[:m.start()])):
                    continue  # "heart attack", "a lower risk", "the gains are lower LDL"
                near = [c for c in conditions if self._near(lower, m, c, after, breaks)
                        and (after or not _CONDITIONAL.search(lower[:c.start]))
                        and (c.kind != "agent" or pattern is not self._verbs
                             or self._agent_verbs.fullmatch(m.group()))]
                if near:
                    c = near[0] if after else near[-1]
                    start, end = min(m.start(), c.start), max(m.end(), c.end)
                    found.append(Claim("disease", sentence[m.start():m.end()],
                                       sentence[c.start:c.end], start, end))
        return found

    def _split_effects(self, sentence: str, lower: str, conditions) -> list[Claim]:
        found = []
        for pattern in self._split:
            for m in pattern.finditer(lower):
                inside = [c for c in conditions if m.start(1) <= c.start and c.end <= m.end(1)]
                if inside:
                    found.append(Claim("disease", sentence[m.start():m.end()],
                                       sentence[inside[0].start:inside[0].end],
                                       m.start(), m.end()))
        return found

    def _near(self, lower: str, effect: re.Match, condition, after: bool,
              breaks: list[int]) -> bool:
        a, b = (effect.end(), condition.start) if after else (condition.end, effect.start())
        if b < a or any(a <= x < b for x in breaks):
            return False
        # "helps maintain healthy blood sugar levels": structure/function, not a disease claim
        if self._structure.search(lower[min(a, effect.start()):max(b, condition.end)]):
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
                               r"compounds?|herb|remedy|blend|complex|formula|oil|and|or)\b",
                               lower[m.end():])
            # "a standard antibiotic course", "anti-inflammatory painkillers": the drug itself
            if re.match(r"\s+(?:course|cream|ointment|drugs?|medicines?|medications?|"
                        r"tablets?|pills?|painkillers?|treatment|prescriptions?|resistance|"
                        r"use|therapy|injections?|shots?|sprays?|drops)\b", lower[m.end():]):
                continue
            if cue and cue[-1].end() >= len(before.rstrip()) - 30 or follows or m.start() == 0:
                found.append(Claim("disease", sentence[m.start():m.end()], None,
                                   m.start(), m.end()))
        # "better than Prozac", "off your blood pressure tablets", "a natural statin"
        for pattern in (self._alternatives, self._compared):
            found += [Claim("disease", sentence[m.start():m.end()], None, m.start(), m.end())
                      for m in pattern.finditer(lower)]
        return found

    def _qualified(self, lower: str, absolute: re.Match) -> bool:
        """An absolute with a qualifier within three words of it is not absolute ("usually
        harmless", "harmless for most people")."""
        start, end = _clause(lower, absolute.start(), absolute.end(), _CLAUSE_BREAK)
        before = _WORD.findall(lower[start:absolute.start()])[-3:]
        after = _WORD.findall(lower[absolute.end():end])[:3]
        near = " ".join([*before, "|", *after])
        return any(m.group() not in absolute.group() for m in self._qualifiers.finditer(near))

    # ------------------------------------------------------------------ context
    def context_of(self, sentence: str, start: int, end: int,
                   own: tuple[int, int] | None = None) -> str:
        """``asserted``, ``hedged`` or ``not asserted`` for the claim at
        ``sentence[start:end]``; words in ``own`` (offsets) are the claim's and never
        trigger ("there are no side effects" is not a negated "side effects")."""
        lower = sentence.lower()
        if (self._disclaimers.search(lower) or sentence.rstrip(" \"'”’)").endswith("?")
                or _inside_quotes(sentence, start, end)):
            return NOT_ASSERTED
        clause_start, clause_end = _clause(lower, start, end, _CLAUSE_BREAK)
        clause = lower[clause_start:clause_end]
        # Triggers count before the claim and inside it ("a folk remedy for eczema"), not in
        # the pseudo-triggers that only look like them.
        upto = lower[clause_start:end]
        said, _ = _clause(lower, start, end, _ATTRIBUTION_BREAK)
        pseudo = [(m.start(), m.end()) for m in self._pseudo.finditer(lower)] + (
            [own] if own else [])
        if (self._triggered(self._scoped, clause, clause_start, pseudo)
                or self._negated_near(lower[clause_start:start], clause_start, pseudo)
                or self._opening_negation(lower, clause_start, pseudo)
                or self._triggered(self._negated_after, lower[end:], end, pseudo)
                or self._triggered(self._reported, lower[said:end], said, pseudo)
                or self._triggered(self._warnings, lower[:end], 0, pseudo)
                or self._status.search(clause)
                or self._triggered(self._adverse, clause, clause_start, pseudo)):
            return NOT_ASSERTED
        subject_start, _ = _clause(lower, start, end, _SUBJECT_BREAK)
        if self._others.search(lower[subject_start:start]):
            return NOT_ASSERTED
        # A hedge before the claim or in it ("may lower"), or a longer one after it in its
        # clause ("...calms seizures is not well understood"); not "so blood can flow".
        if self._triggered(self._hedges, upto, clause_start, pseudo) or any(
                " " in m.group() for m in self._hedges.finditer(lower[end:clause_end])):
            return HEDGED
        return ASSERTED

    def _opening_negation(self, lower: str, clause_start: int, pseudo) -> bool:
        """ "No herb has been shown to...": the clause's subject itself is negated."""
        lead = len(lower[clause_start:]) - len(lower[clause_start:].lstrip())
        m = _OPENING_NEGATION.match(lower, clause_start + lead)
        return bool(m) and not any(m.start() < b and a < m.end() for a, b in pseudo)

    @staticmethod
    def _triggered(pattern: re.Pattern, text: str, offset: int, pseudo) -> bool:
        """Whether a trigger of ``pattern`` stands in ``text`` outside every pseudo-trigger."""
        return any(not any(offset + m.start() < b and a < offset + m.end() for a, b in pseudo)
                   for m in pattern.finditer(text))

    def _negated_near(self, before: str, offset: int, pseudo) -> bool:
        """A short negation ("not", "never") within ``negation_window`` words before, in the
        same stretch between commas ("none, it is risk-free" is a claim)."""
        comma = before.rfind(",") + 1
        before, offset = before[comma:], offset + comma
        words = list(_WORD.finditer(before))
        if not words:
            return False
        reach = words[max(0, len(words) - self.words.negation_window)].start()
        return any(m.start() >= reach and not any(a <= offset + m.start() < b for a, b in pseudo)
                   for m in self._negations.finditer(before))

    def find(self, sentence: str) -> list[Claim]:
        """The claims ``sentence`` asserts: disease (hedged ones as ``hedged``) and absolute,
        at most one of each kind (the first)."""
        found, kinds = [], set()
        for claim in self.candidates(sentence):
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


def _inside_quotes(sentence: str, start: int, end: int) -> bool:
    return any(m.start() < start and end < m.end() for m in _QUOTED.finditer(sentence))
