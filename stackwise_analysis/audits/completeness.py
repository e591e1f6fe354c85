"""Completeness audit: is every house section there, in order, once, with enough text?"""

from __future__ import annotations

import difflib

import pandas as pd

from ..constants import SECTION_KEYS
from ..corpus import Corpus
from ..parse import WORD_RE
from ..styleguide import Styleguide
from .findings import finding_rows, make_findings, plural

AUDIT = "completeness"
_EVIDENCE_WORDS = 12


def completeness_findings(corpus: Corpus, styleguide: Styleguide) -> pd.DataFrame:
    """Findings for the house template: missing, empty, thin, out-of-order, duplicated and
    unknown sections, a missing intro, Health Risks without bullets, and the disclaimer.

    Examples
    --------
    >>> from stackwise_analysis import load_corpus, load_styleguide
    >>> corpus = load_corpus("data/articles")
    >>> found = completeness_findings(corpus, load_styleguide())
    >>> found.query("check == 'completeness.unknown_heading'")[["article_id", "evidence"]]
                 article_id             evidence
    9  019_elderberry_colds  The Research Corner
    """
    sg = styleguide
    template = pd.DataFrame(sg.sections)
    heading_of = dict(zip(template["key"], template["heading"], strict=True))
    order_of = {key: i for i, key in enumerate(template["key"])}
    articles = corpus.articles
    sections = corpus.sections
    known = sections[sections["section"].notna()]
    parts: list[pd.DataFrame] = []

    # Missing: every (article, template section) pair with no matching row.
    expected = articles[["article_id"]].merge(template[["key", "heading", "missing"]],
                                               how="cross")
    present = known[["article_id", "section"]].drop_duplicates().rename(columns={"section": "key"})
    missing = expected.merge(present, how="left", indicator=True).query("_merge == 'left_only'")
    parts.append(finding_rows(
        sg, "completeness.missing_section", missing["article_id"], section=missing["key"],
        severity=missing["missing"], evidence=missing["heading"],
        fields={"heading": missing["heading"]}))

    first = known.drop_duplicates(["article_id", "section"], keep="first")
    again = known[known.duplicated(["article_id", "section"], keep="first")]
    parts.append(finding_rows(
        sg, "completeness.duplicate_section", again["article_id"], section=again["section"],
        evidence=again["heading"], line=again["line"], fields={"heading": again["heading"]}))

    empty = first[(first["word_count"] == 0) & (first["section"] != "health_risks")]
    parts.append(finding_rows(
        sg, "completeness.empty_section", empty["article_id"], section=empty["section"],
        evidence=empty["heading"], line=empty["line"], fields={"heading": empty["heading"]}))

    minimum = first["section"].map(dict(zip(template["key"], template["min_words"],
                                            strict=True))).astype("Int64")
    short = first[(first["word_count"] > 0) & (first["word_count"] < minimum)]
    parts.append(finding_rows(
        sg, "completeness.short_section", short["article_id"], section=short["section"],
        evidence=_words(short["word_count"]), line=short["line"],
        fields={"heading": short["heading"], "count": short["word_count"],
                "minimum": minimum[short.index]}))

    # Out of order: a section placed after one that the template puts later.
    ordered = first.sort_values(["article_id", "position"]).copy()
    ordered["rank"] = ordered["section"].map(order_of).astype("float64")
    ordered["rank_before"] = ordered.groupby("article_id")["rank"].cummax().groupby(
        ordered["article_id"]).shift(1)
    late = ordered[ordered["rank"] < ordered["rank_before"]]
    before = late["rank_before"].astype(int).map(lambda r: heading_of[SECTION_KEYS_OF(sg)[r]])
    parts.append(finding_rows(
        sg, "completeness.out_of_order", late["article_id"], section=late["section"],
        evidence=late["heading"], line=late["line"],
        fields={"heading": late["heading"], "before": before}))

    unknown = sections[sections["section"].isna()]
    parts.append(finding_rows(
        sg, "completeness.unknown_heading", unknown["article_id"], evidence=unknown["heading"],
        line=unknown["line"]))

    intro_words = articles["intro"].fillna("").str.count(WORD_RE.pattern)
    minimum_intro = sg.rule("completeness.missing_intro")["min_words"]
    no_intro = articles[intro_words < minimum_intro]
    parts.append(finding_rows(
        sg, "completeness.missing_intro", no_intro["article_id"],
        evidence=_words(intro_words[no_intro.index]),
        line=no_intro["intro_line"].fillna(no_intro["risk_label_line"]).fillna(
            no_intro["title_line"]), fields={"minimum": minimum_intro}))

    risks_heading = first[first["section"] == "health_risks"].merge(
        articles[["article_id", "risk_count"]], on="article_id")
    bare = risks_heading[risks_heading["risk_count"] == 0]
    parts.append(finding_rows(
        sg, "completeness.no_risk_bullets", bare["article_id"], section=bare["section"],
        evidence=bare["heading"], line=bare["line"]))

    no_disclaimer = articles[~articles["has_disclaimer"]]
    parts.append(finding_rows(sg, "completeness.missing_disclaimer", no_disclaimer["article_id"]))

    house = _normalise(sg.template["disclaimer"])
    with_disclaimer = articles[articles["has_disclaimer"]]
    normalised = with_disclaimer["disclaimer"].map(_normalise)
    altered = with_disclaimer[normalised != house]
    parts.append(finding_rows(
        sg, "completeness.altered_disclaimer", altered["article_id"],
        evidence=altered["disclaimer"].map(lambda text: disclaimer_difference(house, text)),
        line=altered["disclaimer_line"]))
    return make_findings(parts, audit=AUDIT)


def SECTION_KEYS_OF(sg: Styleguide) -> tuple[str, ...]:  # noqa: N802 - reads like a constant
    """The style guide's section keys in house order (SECTION_KEYS unless reordered)."""
    return tuple(s["key"] for s in sg.sections) or SECTION_KEYS


def _words(counts: pd.Series) -> pd.Series:
    """Word counts as evidence that agrees in number: "1 word", "12 words".

    >>> _words(pd.Series([1, 12])).tolist()
    ['1 word', '12 words']
    """
    words = [plural(n, " word") for n in counts.tolist()]
    return counts.astype(str) + pd.Series(words, index=counts.index, dtype="string")


def _normalise(text: str) -> str:
    return " ".join(WORD_RE.findall(text.lower()))


def disclaimer_difference(house: str, text: str) -> str:
    """A short, readable account of how ``text`` departs from the house disclaimer.

    >>> disclaimer_difference("a b c d", "a b x d")
    'house: "c" / article: "x"'
    """
    want, got = house.split(), _normalise(text).split()
    changes = []
    matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed = " ".join(want[a0:a1][:_EVIDENCE_WORDS])
        added = " ".join(got[b0:b1][:_EVIDENCE_WORDS])
        if op == "delete":
            changes.append(f'missing: "{removed}"')
        elif op == "insert":
            changes.append(f'added: "{added}"')
        else:
            changes.append(f'house: "{removed}" / article: "{added}"')
    return "; ".join(changes[:3]) + (" …" if len(changes) > 3 else "")
