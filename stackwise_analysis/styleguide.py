"""The house rules: load ``styleguide.yml``, merge a user's overrides, reject malformed files."""

from __future__ import annotations

import copy
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

import yaml

from .constants import AUDITS, RISK_LEVELS, SECTION_KEYS, SEVERITIES
from .exceptions import StyleguideError

DEFAULT_STYLEGUIDE = "styleguide.yml"
#: Style-guide format versions this package reads.
SUPPORTED_VERSIONS = (1,)
#: Settings that must be at least 1 (0 would flag every sentence, or every article as stale).
_AT_LEAST_ONE = {"readability.max_sentence_words", "compliance.stale_after_months"}

# The shape every style guide must have. A type stands for a leaf; a dict for a mapping with
# exactly these keys; a one-element list for a list of that shape; ``{"*": shape}`` for a
# mapping with free keys. Choices are tuples of allowed values.
_NUMBER = (int, float)
_RULE = {"audit": AUDITS, "level": SEVERITIES, "message": str, "description": str, "link": str}
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
        "intro_min_words": int,
        "disclaimer": str,
    },
    "risk": {
        "labels": {"*": [str]},
        "min_listed_risks": {"*": int},
        "serious_harms": [str],
    },
    "readability": {
        "target_grade": _NUMBER,
        "info_above_grade": _NUMBER,
        "warning_above_grade": _NUMBER,
        "grade_metric": (
            "flesch_kincaid_grade",
            "gunning_fog",
            "smog_index",
            "coleman_liau_index",
            "automated_readability_index",
            "dale_chall_readability_score",
        ),
        "max_sentence_words": int,
        "smog_min_sentences": int,
        "min_words_for_grade": int,
    },
    "compliance": {
        "claims": [str],
        "negations": [str],
        "negation_window": int,
        "consult_phrases": [str],
        "uncertainty_phrases": [str],
        "uncertainty_levels": [RISK_LEVELS],
        "source_patterns": [str],
        "stale_after_months": int,
    },
    "rules": {"*": _RULE},
}
_OPTIONAL = {"description", "link"}
_FREE_KEY_CHOICES = {("risk", "labels"): RISK_LEVELS, ("risk", "min_listed_risks"): RISK_LEVELS}


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
        shape, shape.__name__
    )


def _validate(value: Any, shape: Any, key: str, path: str, *, partial: bool) -> None:
    """Raise StyleguideError when ``value`` does not fit ``shape``; ``key`` is a dotted path."""
    def fail(problem: str) -> None:
        raise StyleguideError(path, key or "(top level)", problem)

    if isinstance(shape, dict):
        if not isinstance(value, dict):
            fail(f"expected {_type_name(shape)}, got {type(value).__name__}")
        if "*" in shape:
            parts = tuple(key.split("."))
            allowed = _FREE_KEY_CHOICES.get(parts)
            for sub, sub_value in value.items():
                if allowed and sub not in allowed:
                    fail(f"unknown key {sub!r}; expected one of {', '.join(allowed)}")
                _validate(sub_value, shape["*"], f"{key}.{sub}" if key else str(sub), path,
                          partial=partial or parts == ("rules",))
            return
        for sub, sub_value in value.items():
            if sub not in shape:
                fail(f"unknown key {sub!r}; expected one of {', '.join(shape)}")
            _validate(sub_value, shape[sub], f"{key}.{sub}" if key else sub, path,
                      partial=partial)
        if not partial:
            missing = [k for k in shape if k not in value and k not in _OPTIONAL and k != "*"]
            if missing:
                fail(f"missing key(s): {', '.join(missing)}")
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            fail(f"expected a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            _validate(item, shape[0], f"{key}[{i}]", path, partial=False)
        return
    if isinstance(shape, tuple) and not all(isinstance(s, type) for s in shape):
        if value not in shape:
            fail(f"{value!r} is not allowed; expected one of {', '.join(map(str, shape))}")
        return
    if isinstance(value, bool) or not isinstance(value, shape):
        fail(f"expected {_type_name(shape)}, got {type(value).__name__} {value!r}")
    if isinstance(value, (int, float)):
        _check_number(value, key, fail)


def _check_number(value: float, key: str, fail) -> None:
    """Numbers in a style guide count words, sentences, months or grades: finite, never
    negative, some at least 1, and the format version one this package knows."""
    if key == "version":
        if value not in SUPPORTED_VERSIONS:
            fail(f"version {value} is not supported; this package reads version(s) "
                 f"{', '.join(map(str, SUPPORTED_VERSIONS))}")
    elif not math.isfinite(value):
        fail(f"{value!r} is not a finite number")
    elif value < 0:
        fail(f"{value!r} is negative; use 0 or more")
    elif key in _AT_LEAST_ONE and value < 1:
        fail(f"{value!r} is too small; use 1 or more")


def _merge(base: dict, override: dict) -> dict:
    """Recursive dict merge: mappings merge key by key, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (plain YAML keeps the last
    one without a word, so a rule changed twice silently loses the first change)."""

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
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader that refuses duplicate keys
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
    def compliance(self) -> dict:
        return self.data["compliance"]

    @property
    def rules(self) -> dict:
        return self.data["rules"]

    def rule(self, check: str) -> dict:
        """The rule entry for ``check`` (audit, level, message)."""
        try:
            return self.rules[check]
        except KeyError:
            raise KeyError(f"no rule {check!r} in the style guide") from None

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
        Unknown key, bad severity or wrong type; the message names the file and the key.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> load_styleguide().readability["target_grade"]
    8
    """
    default_name = f"<package>/{DEFAULT_STYLEGUIDE}"
    data = _read_yaml(default_name, _default_text())
    _validate(data, _SCHEMA, "", default_name, partial=False)
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
        _validate(override, _SCHEMA, "", str(path), partial=True)
        data = _merge(data, override)
        new_rules = [k for k in override.get("rules", {}) if k not in _default_rules(default_name)]
        for check in new_rules:
            _validate(data["rules"][check], _RULE, f"rules.{check}", str(path), partial=False)
        _check_values(data, override, str(path))
        sources.append(str(path))
    return Styleguide(data=data, sources=tuple(sources))


def _check_values(data: dict, override: dict, path: str) -> None:
    """What the schema cannot say: at least one house section, and message templates that
    parse and use only placeholders the rule fills (those of its packaged message, and
    ``evidence``), so a bad template fails here and not in the middle of an audit."""
    if not data["template"]["sections"]:
        raise StyleguideError(path, "template.sections", "the list is empty; name at least "
                              "one house section")
    packaged = _default_rules(f"<package>/{DEFAULT_STYLEGUIDE}")
    for check, rule in override.get("rules", {}).items():
        if "message" in rule:
            allowed = _placeholders(packaged.get(check, {}).get("message", "")) | {"evidence"}
            _check_template(rule["message"], allowed, f"rules.{check}.message", path)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_template(template: str, allowed: set[str], key: str, path: str) -> None:
    """Raise StyleguideError unless ``template`` is a ``str.format`` template whose
    placeholders are all plain names in ``allowed``."""
    try:
        fields = [(name, conversion) for _, name, _, conversion
                  in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise StyleguideError(path, key, f"malformed message template ({exc}); write "
                              "placeholders as {name} or {name:.1f}, and {{ }} for braces"
                              ) from None
    for name, conversion in fields:
        if name not in allowed:
            raise StyleguideError(path, key, f"unknown placeholder {{{name}}}; this rule "
                                  f"fills {', '.join('{' + n + '}' for n in sorted(allowed))}")
        if conversion not in (None, "r", "s", "a"):
            raise StyleguideError(path, key, f"unknown conversion !{conversion} in "
                                  f"{{{name}}}; use !r, !s or !a")


def _default_rules(name: str) -> dict:
    return _read_yaml(name, _default_text())["rules"]


def as_styleguide(styleguide: Styleguide | str | Path | None) -> Styleguide:
    """Accept a Styleguide, a path to a YAML file, or None (the house defaults)."""
    if isinstance(styleguide, Styleguide):
        return styleguide
    return load_styleguide(styleguide)
