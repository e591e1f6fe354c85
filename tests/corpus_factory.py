"""Build small ``Corpus`` objects for audit tests straight from article specs, no files needed.

Each spec is laid out as a house-format plain-text export would be (title, blank, label,
blank, intro, then heading / blank / body / blank per section, bullets, disclaimer), and every
line number in the frames is the line that text would have; ``render`` returns that text, so a
test can check a finding's line against the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
from article_text import HEADINGS, HOUSE_DISCLAIMER

from stackwise_analysis.corpus import (
    ARTICLE_COLUMNS,
    ERROR_COLUMNS,
    RISK_COLUMNS,
    SECTION_COLUMNS,
    Corpus,
)

DISCLAIMER = HOUSE_DISCLAIMER
#: Prose that breaks no compliance rule: consult advice, uncertainty and a source are there.
CLEAN_INTRO = ("Gentle stretching is studied as a way to ease stiff joints (Lee et al., 2021). "
               "Talk to your doctor before you start.")
CLEAN_SECTIONS = {
    "how_it_works": "Slow stretches lengthen the muscles around a joint.",
    "benefits": "Some people report less stiffness after a few weeks.",
    "science": "The evidence is limited, and more research is needed.",
    "protocol": "Sessions last about twenty minutes, three times a week.",
    "watch_out": "Stop if a stretch causes sharp pain.",
}
CLEAN_RISKS = ("mild soreness", "bruising", "dizziness", "fatigue")
_LEVELS = {"low": "Low", "moderate": "Moderate", "medium": "Moderate", "high": "High"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass
class Spec:
    """One article. ``sections`` maps a canonical key (or any other heading) to its body;
    ``risks`` are the Health Risks bullets (None: no Health Risks section at all)."""

    article_id: str = "a1"
    title: str = "Gentle Stretching for Stiff Joints"
    label: str | None = "Moderate Risk"
    intro: str = CLEAN_INTRO
    sections: dict[str, str] = field(default_factory=lambda: dict(CLEAN_SECTIONS))
    risks: tuple[str, ...] | None = CLEAN_RISKS
    disclaimer: str | None = DISCLAIMER
    metadata: dict = field(default_factory=dict)


def spec(**changes) -> Spec:
    """A clean Moderate article with ``changes`` applied; ``sections`` entries are merged
    into the clean ones (a value of None removes that section)."""
    sections = dict(CLEAN_SECTIONS)
    for key, text in changes.pop("sections", {}).items():
        if text is None:
            sections.pop(key, None)
        else:
            sections[key] = text
    return Spec(sections=sections, **changes)


def _layout(s: Spec) -> tuple[list[str], dict]:
    """The article's lines and where each part starts (1-based line numbers)."""
    lines = [s.title, ""]
    where: dict = {"title_line": 1, "label_line": None, "sections": [], "risks": []}
    if s.label is not None:
        where["label_line"] = len(lines) + 1
        lines += [s.label, ""]
    where["intro_line"] = len(lines) + 1 if s.intro else None
    if s.intro:
        lines += [*s.intro.split("\n"), ""]
    bodies = list(s.sections.items())
    if s.risks is not None:
        bodies.append(("health_risks", "\n".join(s.risks)))
    for key, body in bodies:
        heading_line = len(lines) + 1
        lines += [HEADINGS.get(key, key), ""]
        body_line = len(lines) + 1
        if key == "health_risks":
            for risk in s.risks:
                where["risks"].append((risk, len(lines) + 1))
                lines.append("  • " + risk)
        else:
            lines += body.split("\n")
        lines.append("")
        where["sections"].append((key, heading_line, body_line, body))
    where["disclaimer_line"] = len(lines) + 1 if s.disclaimer else None
    if s.disclaimer:
        lines.append(s.disclaimer)
    return lines, where


def render(s: Spec) -> str:
    """The plain-text export the spec describes."""
    return "\n".join(_layout(s)[0])


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def make_corpus(*specs: Spec) -> Corpus:
    """A ``Corpus`` with the contract's columns and dtypes for ``specs``; metadata columns
    (``category``, ``last_reviewed``, ...) appear when any spec has them."""
    articles, sections, risks = [], [], []
    for s in specs:
        lines, where = _layout(s)
        for position, (key, heading_line, body_line, body) in enumerate(where["sections"], 1):
            sections.append({
                "article_id": s.article_id, "position": position,
                "heading": HEADINGS.get(key, key),
                "section": key if key in HEADINGS else None, "line": heading_line,
                "body_line": body_line, "text": body, "word_count": _words(body),
                "paragraph_count": sum(1 for b in body.split("\n\n") if b.strip()),
            })
        for position, (risk, line) in enumerate(where["risks"], 1):
            risks.append({"article_id": s.article_id, "position": position, "risk": risk,
                          "line": line})
        level = s.label.split()[0].lower() if s.label else None
        articles.append({
            "article_id": s.article_id, "path": f"{s.article_id}.txt", "format": "text",
            "title": s.title, "title_line": 1,
            "risk_level": _LEVELS.get(level) if level else None,
            "risk_label_raw": s.label, "risk_label_line": where["label_line"],
            "intro": s.intro, "intro_line": where["intro_line"],
            "word_count": _words(s.intro) + sum(_words(b) for *_, b in where["sections"]),
            "section_count": len(where["sections"]), "risk_count": len(where["risks"]),
            "has_disclaimer": s.disclaimer is not None, "disclaimer": s.disclaimer,
            "disclaimer_line": where["disclaimer_line"], "content_sha256": f"sha-{s.article_id}",
            **s.metadata,
        })
    frame = pd.DataFrame.from_records(articles, columns=_columns(articles, ARTICLE_COLUMNS))
    frame = frame.astype(ARTICLE_COLUMNS)
    if "last_reviewed" in frame.columns:
        frame["last_reviewed"] = pd.to_datetime(frame["last_reviewed"])
    if "category" in frame.columns:
        frame["category"] = frame["category"].astype("string")
    return Corpus(
        articles=frame,
        sections=_typed(sections, SECTION_COLUMNS),
        risks=_typed(risks, RISK_COLUMNS),
        errors=_typed([], ERROR_COLUMNS),
    )


def _columns(records: list[dict], base: dict) -> list[str]:
    extra = [k for r in records for k in r if k not in base]
    return [*base, *dict.fromkeys(extra)]


def _typed(records: list[dict], dtypes: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)
