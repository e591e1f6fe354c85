"""The house rules: load ``styleguide.yml``, merge a user's overrides, reject malformed files.

Each rule is one record under ``rules:`` (audit, level, description, link, message and its own
word lists and thresholds); ``RULE_SETTINGS`` is the registry of the rules the audits
implement."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .constants import RISK_LEVELS, SECTION_KEYS, SEVERITIES
from .exceptions import StyleguideError
from .parse import EXPORT_FIELDS

DEFAULT_STYLEGUIDE = "styleguide.yml"
#: Style-guide format versions this package reads.
SUPPORTED_VERSIONS = (2,)
#: Settings that must be at least 1 (0 would flag every sentence, or every article as stale).
_AT_LEAST_ONE = {"rules.readability.long_sentence.max_words",
                 "rules.compliance.stale_content.months", "rules.compliance.disease_claim.window",
                 "review.max_waiver_days"}

# The shape every style guide must have. A type stands for a leaf; a dict for a mapping with
# exactly these keys; a one-element list for a list of that shape; ``{"*": shape}`` for a
# mapping with free keys, ``{CHOICES: shape}`` for one whose keys are among CHOICES. Choices
# are tuples of allowed values.
_NUMBER = (int, float)
GRADE_METRICS = ("flesch_kincaid_grade", "gunning_fog", "smog_index", "coleman_liau_index",
                 "automated_readability_index", "dale_chall_readability_score")
_CLAIM_WORDS = {"terms": [str], "negations": [str], "negation_window": int}

#: Every rule the audits implement, with the settings of its own each takes (beyond the keys
#: every rule has). The one registry of rule ids: a style guide naming another id is
#: rejected, ``stackwise-analysis rules`` lists these, and each rule's audit is its prefix.
RULE_SETTINGS: dict[str, dict[str, Any]] = {
    "risk.missing_label": {},
    "risk.unknown_label": {},
    "risk.too_few_risks": {"min_risks": {RISK_LEVELS: int}},
    "risk.understated": _CLAIM_WORDS,
    "completeness.missing_section": {},
    "completeness.empty_section": {},
    "completeness.short_section": {},
    "completeness.out_of_order": {},
    "completeness.duplicate_section": {},
    "completeness.unknown_heading": {},
    "completeness.missing_intro": {"min_words": int},
    "completeness.no_risk_bullets": {},
    "completeness.missing_disclaimer": {},
    "completeness.altered_disclaimer": {},
    "readability.above_target": {"above_grade": _NUMBER},
    "readability.hard_to_read": {"above_grade": _NUMBER},
    "readability.long_sentence": {"max_words": int},
    "compliance.disease_claim": {
        "effect_verbs": [str], "agent_verbs": [str], "not_verbs_after": [str], "window": int,
        "effect_before": [str], "effect_after": [str], "effect_split": [str],
        "drug_classes": [str], "drug_class_cues": [str], "drug_alternatives": [str],
        "drug_names": [str], "drug_comparisons": [str], "structure_function": [str],
        "label_cues": [str], "label_fillers": [str], "product_nouns": [str],
        "conditions_add": [str], "conditions_remove": [str]},
    "compliance.hedged_claim": {"hedges": [str]},
    "compliance.absolute_claim": {"terms": [str], "qualifiers": [str]},
    "compliance.no_consult_advice": {"phrases": [str]},
    "compliance.risks_not_disclosed": {},
    "compliance.no_uncertainty": {"phrases": [str], "levels": [RISK_LEVELS]},
    "compliance.no_sources": {"patterns": [str]},
    "compliance.stale_content": {"months": int},
    "review.waiver_expired": {},
    "review.stale_waiver": {},
}
#: Keys a record may leave out.
_OPTIONAL = {"link"}

_SCHEMA: dict[str, Any] = {
    "version": int,
    "template": {
        "sections": [
            {
                "key": SECTION_KEYS,
                "heading": str,
                "aliases": [str],
                "min_words": int,
                "missing": SEVERITIES,
            }
        ],
        "disclaimer": str,
    },
    "risk": {"labels": {RISK_LEVELS: [str]}},
    "readability": {
        "target_grade": _NUMBER,
        "grade_metric": GRADE_METRICS,
        "smog_min_sentences": int,
        "min_words_for_grade": int,
    },
    "sentences": {
        "abbreviations": {"never_end": [str], "may_end": [str], "sentence_openers": [str],
                          "letter_names": [str]},
    },
    "claims": {
        "negations": [str], "negation_window": int, "scoped_negations": [str],
        "negations_after": [str], "pseudo_triggers": [str], "reported": [str],
        "warnings": [str], "disease_status": [str], "disclaimers": [str],
        "other_subjects": [str], "adverse": [str], "verdicts": [str],
        "editorial": [str], "enablers": [str]},
    "exports": {"fields": {EXPORT_FIELDS: [str]}},
    "review": {"max_waiver_days": int},
    "rules": "rules",  # checked rule by rule against RULE_SETTINGS
}
#: Where settings of version 1 files went, so an old file's error says where to look.
_MOVED = {
    "compliance": "its lists and thresholds moved into the records of the compliance.* rules",
    "risk.serious_harms": "it moved to rules.risk.understated.terms",
    "risk.min_listed_risks": "it moved to rules.risk.too_few_risks.min_risks",
    "template.intro_min_words": "it moved to rules.completeness.missing_intro.min_words",
    "readability.info_above_grade": "it moved to rules.readability.above_target.above_grade",
    "readability.warning_above_grade": "it moved to rules.readability.hard_to_read.above_grade",
    "readability.max_sentence_words": "it moved to rules.readability.long_sentence.max_words",
}


def rule_shape(check: str) -> dict[str, Any]:
    """The keys a rule's record may have and their shapes.

    >>> sorted(rule_shape("compliance.stale_content"))
    ['audit', 'description', 'level', 'link', 'message', 'months']
    """
    audit = check.split(".", 1)[0]
    return {"audit": (audit,), "level": SEVERITIES, "description": str, "link": str,
            "message": str, **RULE_SETTINGS[check]}


def _type_name(shape: Any) -> str:
    if isinstance(shape, tuple) and all(isinstance(s, type) for s in shape):
        return "a number"
    if isinstance(shape, tuple):
        return "one of " + ", ".join(map(str, shape))
    if isinstance(shape, list):
        return "a list"
    if isinstance(shape, dict):
        return "a mapping"
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        shape, getattr(shape, "__name__", str(shape)))


class _Checker:
    """Walks a parsed file against ``_SCHEMA`` and collects every problem, as (key, problem)
    pairs, instead of stopping at the first (pandera's lazy validation)."""

    def __init__(self, partial: bool) -> None:
        self.partial = partial
        self.problems: list[tuple[str, str]] = []

    def fail(self, key: str, problem: str) -> None:
        self.problems.append((key or "(top level)", problem))

    def check(self, value: Any, shape: Any, key: str, *, partial: bool) -> None:
        if shape == "rules":
            self.rules(value, key)
        elif isinstance(shape, dict):
            self.mapping(value, shape, key, partial=partial)
        elif isinstance(shape, list):
            if not isinstance(value, list):
                self.fail(key, f"expected a list, got {type(value).__name__}")
                return
            for i, item in enumerate(value):
                self.check(item, shape[0], f"{key}[{i}]", partial=False)
        elif isinstance(shape, tuple) and not all(isinstance(s, type) for s in shape):
            if value not in shape:
                self.fail(key, f"{value!r} is not allowed; expected "
                               f"{_type_name(shape)}")
        elif isinstance(value, bool) or not isinstance(value, shape):
            self.fail(key, f"expected {_type_name(shape)}, got {type(value).__name__} "
                           f"{value!r}")
        elif isinstance(value, (int, float)):
            self.number(value, key)

    def number(self, value: float, key: str) -> None:
        """Numbers in a style guide count words, sentences, months or grades: finite, never
        negative, some at least 1, and the format version one this package knows."""
        if key == "version":
            if value not in SUPPORTED_VERSIONS:
                self.fail(key, f"version {value} is not supported; this package reads "
                               f"version(s) {', '.join(map(str, SUPPORTED_VERSIONS))}")
        elif not math.isfinite(value):
            self.fail(key, f"{value!r} is not a finite number")
        elif value < 0:
            self.fail(key, f"{value!r} is negative; use 0 or more")
        elif key in _AT_LEAST_ONE and value < 1:
            self.fail(key, f"{value!r} is too small; use 1 or more")

    def mapping(self, value: Any, shape: dict, key: str, *, partial: bool) -> None:
        if not isinstance(value, dict):
            self.fail(key, f"expected {_type_name(shape)}, got {type(value).__name__}")
            return
        free = next((k for k in shape if k == "*" or isinstance(k, tuple)), None)
        for sub, sub_value in value.items():
            where = f"{key}.{sub}" if key else str(sub)
            if free is None and sub not in shape or isinstance(free, tuple) and sub not in free:
                allowed = free if isinstance(free, tuple) else shape
                hint = _MOVED.get(where)
                self.fail(key, f"unknown key {sub!r}; " + (hint or "expected one of "
                                                            + ", ".join(allowed)))
                continue
            self.check(sub_value, shape[sub] if free is None else shape[free], where,
                       partial=partial)
        if not partial and free is None:
            missing = [k for k in shape if k not in value and k not in _OPTIONAL]
            if missing:
                self.fail(key, f"missing key(s): {', '.join(missing)}")

    def rules(self, value: Any, key: str) -> None:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping of rules, got {type(value).__name__}")
            return
        for check, record in value.items():
            if check not in RULE_SETTINGS:
                near = difflib.get_close_matches(str(check), RULE_SETTINGS, n=1)
                self.fail(f"{key}.{check}", "unknown rule: no audit implements it"
                          + (f" (did you mean {near[0]}?)" if near else "")
                          + "; `stackwise-analysis rules` lists them")
                continue
            self.mapping(record, rule_shape(check), f"{key}.{check}", partial=self.partial)
        if not self.partial:
            missing = [check for check in RULE_SETTINGS if check not in value]
            if missing:
                self.fail(key, f"missing rule(s): {', '.join(missing)}")


def _validate(data: dict, path: str, *, partial: bool) -> None:
    """Raise one StyleguideError listing every way ``data`` does not fit ``_SCHEMA``."""
    checker = _Checker(partial)
    checker.check(data, _SCHEMA, "", partial=partial)
    if checker.problems:
        raise StyleguideError(path, problems=checker.problems)


def _merge(base: dict, override: dict) -> dict:
    """Recursive dict merge: mappings merge key by key, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML that refuses a key given twice in one mapping (plain YAML keeps the last
    one without a word, so a rule changed twice silently loses the first change). Parsed by
    libyaml where PyYAML has it: the house style guide's word lists take 0.2 s in Python."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: str, text: str) -> dict:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(top level)"
        problem = getattr(exc, "problem", exc)
        raise StyleguideError(path, where, f"not valid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StyleguideError(path, "(top level)", "expected a mapping of settings")
    return data


@dataclass(frozen=True)
class Styleguide(Mapping):
    """The merged, validated house rules.

    Behaves as a read-only mapping over the YAML sections (``sg["readability"]``) and offers
    the same sections as attributes (``sg.readability``), plus helpers the audits share.

    Examples
    --------
    >>> sg = load_styleguide()
    >>> sg.rule("completeness.missing_disclaimer")["level"]
    'blocker'
    >>> sg.section_for_heading("side effects")
    'health_risks'
    """

    data: dict
    sources: tuple[str, ...] = field(default=())

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __hash__(self) -> int:
        return hash(self.sha256)

    @property
    def template(self) -> dict:
        return self.data["template"]

    @property
    def risk(self) -> dict:
        return self.data["risk"]

    @property
    def readability(self) -> dict:
        return self.data["readability"]

    @property
    def rules(self) -> dict:
        return self.data["rules"]

    def rule(self, check: str) -> dict:
        """The record of rule ``check``: audit, level, description, message, and its own
        word lists and thresholds.

        >>> load_styleguide().rule("compliance.stale_content")["months"]
        24
        """
        try:
            return self.rules[check]
        except KeyError:
            raise KeyError(f"no rule {check!r} in the style guide") from None

    def rule_table(self) -> pd.DataFrame:
        """One row per rule in registry order: ``id``, ``audit``, ``level``, ``description``
        and ``link`` (NA when the rule has none); what ``stackwise-analysis rules`` prints.

        >>> load_styleguide().rule_table().columns.tolist()
        ['id', 'audit', 'level', 'description', 'link']
        """
        rows = [{"id": check, **{key: self.rules[check].get(key) for key in
                                 ("audit", "level", "description", "link")}}
                for check in RULE_SETTINGS if check in self.rules]
        return pd.DataFrame(rows, columns=["id", "audit", "level", "description", "link"]
                            ).astype("string")

    def override(self, changes: Mapping) -> Styleguide:
        """A copy with ``changes`` merged over these rules, checked as a user file is.

        >>> sg = load_styleguide().override({"rules": {"compliance.stale_content":
        ...                                            {"months": 6}}})
        >>> rule = sg.rule("compliance.stale_content")
        >>> rule["months"], rule["level"]
        (6, 'warning')
        """
        changes = copy.deepcopy(dict(changes))
        _validate(changes, "<override>", partial=True)
        return Styleguide(data=_merge(self.data, changes), sources=(*self.sources, "<override>"))

    @cached_property
    def sha256(self) -> str:
        """Hash of the merged rules; a cache key for results that depend on them."""
        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    @cached_property
    def sections(self) -> list[dict]:
        """The template's sections in house order."""
        return list(self.template["sections"])

    @cached_property
    def heading_index(self) -> dict[str, str]:
        """Normalised heading or alias -> canonical section key."""
        index: dict[str, str] = {}
        for section in self.sections:
            for name in [section["heading"], section["key"], *section.get("aliases", [])]:
                index[normalize_heading(name)] = section["key"]
        return index

    def section_for_heading(self, heading: str) -> str | None:
        """Canonical key of a heading as written, or None when it is not a house section."""
        return self.heading_index.get(normalize_heading(heading))

    @cached_property
    def label_index(self) -> dict[str, str]:
        """Normalised risk-label text -> risk level."""
        return {
            normalize_heading(text): level
            for level, texts in self.risk["labels"].items()
            for text in [level, *texts]
        }


_HEADING_NOISE = re.compile(r"[\s:.\-–—#*_]+")


@lru_cache(maxsize=65536)
def normalize_heading(text: str) -> str:
    """Lower-case, collapse spaces and strip markup/punctuation so heading drift still matches.

    >>> normalize_heading("  HOW IT  WORKS: ")
    'how it works'
    """
    return _HEADING_NOISE.sub(" ", text.replace("’", "'")).strip().lower()


def _default_text() -> str:
    return resources.files("stackwise_analysis").joinpath(DEFAULT_STYLEGUIDE).read_text("utf-8")


def load_styleguide(path: str | Path | None = None) -> Styleguide:
    """Load the packaged house rules, merged with the user's file at ``path`` if given.

    Keys in the user's file override the defaults (mappings merge, lists replace); a rule entry
    may give just the keys it changes, e.g. ``rules: {readability.hard_to_read: {level: blocker}}``.

    Raises
    ------
    StyleguideError
        Every unknown key or rule id, bad level and wrong type in the file, all at once; each
        named with the file and the key (``rules.<rule id>.<key>`` for a rule's).
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> load_styleguide().readability["target_grade"]
    8
    >>> load_styleguide().rule("risk.too_few_risks")["min_risks"]["High"]
    4
    """
    default_name = f"<package>/{DEFAULT_STYLEGUIDE}"
    data = _read_yaml(default_name, _default_text())
    _validate(data, default_name, partial=False)
    sources = [default_name]
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"style guide not found: {path}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise StyleguideError(str(path), "(top level)", "not UTF-8 text") from None
        override = _read_yaml(str(path), text)
        _validate(override, str(path), partial=True)
        data = _merge(data, override)
        _check_values(data, override, str(path))
        sources.append(str(path))
    return Styleguide(data=data, sources=tuple(sources))


def _check_values(data: dict, override: dict, path: str) -> None:
    """What the schema cannot say: at least one house section, and message templates that
    parse and use only placeholders the rule fills (those of its packaged message, and
    ``evidence``), so a bad template fails here and not in the middle of an audit."""
    problems = []
    if not data["template"]["sections"]:
        problems.append(("template.sections", "the list is empty; name at least one house "
                                              "section"))
    packaged = _default_rules(f"<package>/{DEFAULT_STYLEGUIDE}")
    for check, rule in (override.get("rules") or {}).items():
        if isinstance(rule, dict) and isinstance(rule.get("message"), str):
            allowed = _placeholders(packaged.get(check, {}).get("message", "")) | {"evidence"}
            problem = _template_problem(rule["message"], allowed)
            if problem:
                problems.append((f"rules.{check}.message", problem))
    if problems:
        raise StyleguideError(path, problems=problems)


@lru_cache(maxsize=1)
def _default_rules(name: str) -> dict:
    return _read_yaml(name, _default_text())["rules"]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _template_problem(template: str, allowed: set[str]) -> str | None:
    """Why ``template`` is not a ``str.format`` template whose placeholders are all plain
    names in ``allowed``, or None when it is."""
    try:
        fields = [(name, conversion) for _, name, _, conversion
                  in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return (f"malformed message template ({exc}); write placeholders as {{name}} or "
                "{name:.1f}, and {{ }} for braces")
    for name, conversion in fields:
        if name not in allowed:
            return (f"unknown placeholder {{{name}}}; this rule fills "
                    + ", ".join("{" + n + "}" for n in sorted(allowed)))
        if conversion not in (None, "r", "s", "a"):
            return f"unknown conversion !{conversion} in {{{name}}}; use !r, !s or !a"
    return None


def as_styleguide(styleguide: Styleguide | Mapping | str | Path | None) -> Styleguide:
    """Accept a Styleguide, a whole style guide as a mapping (checked), a path to a YAML
    file, or None (the house defaults)."""
    if isinstance(styleguide, Styleguide):
        return styleguide
    if isinstance(styleguide, Mapping):
        data = copy.deepcopy(dict(styleguide))
        _validate(data, "<mapping>", partial=False)
        return Styleguide(data=data, sources=("<mapping>",))
    return load_styleguide(styleguide)
