"""Completeness audit: is every house section there, in order, once, with enough text?"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..corpus import Corpus
from ..parse import WORD_RE
from ..styleguide import Styleguide, as_styleguide
from .findings import AuditPart, finding_rows, make_findings, plural

AUDIT = "completeness"
_EVIDENCE_WORDS = 12


def completeness_audit(corpus: Corpus, styleguide: Styleguide | Mapping | None = None, *,
                       as_of: dt.date | str | None = None) -> AuditPart:
    """Findings for the house template: missing, empty, thin, out-of-order, duplicated and
    unknown sections, a missing intro, Health Risks without bullets, and the disclaimer.

    One rule function each (``RULES``); ``as_of`` is taken for the common audit signature
    and not used (the template does not age).

    Examples
    --------
    >>> from stackwise_analysis import load_corpus, load_styleguide
    >>> corpus = load_corpus("data/articles")
    >>> found = completeness_audit(corpus, load_styleguide()).findings
    >>> found.query("check == 'completeness.unknown_heading'")[["article_id", "evidence"]]
                 article_id             evidence
    9  019_elderberry_colds  The Research Corner
    """
    house = _House.of(corpus, as_styleguide(styleguide))
    return AuditPart(make_findings([rule(house) for rule in RULES], audit=AUDIT))


@dataclass(frozen=True)
class _House:
    """What the rules read: the corpus, the style guide, its template, and each article's
    first section of every known key (``first``; a repeat is a duplicate, judged once)."""

    sg: Styleguide
    articles: pd.DataFrame
    sections: pd.DataFrame
    template: pd.DataFrame
    first: pd.DataFrame

    @classmethod
    def of(cls, corpus: Corpus, sg: Styleguide) -> _House:
        known = corpus.sections[corpus.sections["section"].notna()]
        return cls(sg=sg, articles=corpus.articles, sections=corpus.sections,
                   template=pd.DataFrame(sg.sections),
                   first=known.drop_duplicates(["article_id", "section"], keep="first"))


def _missing_section(house: _House) -> pd.DataFrame:
    """Every (article, template section) pair with no matching row."""
    known = house.sections[house.sections["section"].notna()]
    expected = house.articles[["article_id"]].merge(
        house.template[["key", "heading", "missing"]], how="cross")
    present = known[["article_id", "section"]].drop_duplicates().rename(columns={"section": "key"})
    missing = expected.merge(present, how="left", indicator=True).query("_merge == 'left_only'")
    return finding_rows(
        house.sg, "completeness.missing_section", missing["article_id"], section=missing["key"],
        severity=missing["missing"], evidence=missing["heading"],
        fields={"heading": missing["heading"]})


def _duplicate_section(house: _House) -> pd.DataFrame:
    known = house.sections[house.sections["section"].notna()]
    again = known[known.duplicated(["article_id", "section"], keep="first")]
    return finding_rows(
        house.sg, "completeness.duplicate_section", again["article_id"],
        section=again["section"], evidence=again["heading"], line=again["line"],
        fields={"heading": again["heading"]})


def _empty_section(house: _House) -> pd.DataFrame:
    first = house.first
    empty = first[(first["word_count"] == 0) & (first["section"] != "health_risks")]
    return finding_rows(
        house.sg, "completeness.empty_section", empty["article_id"], section=empty["section"],
        evidence=empty["heading"], line=empty["line"], fields={"heading": empty["heading"]})


def _short_section(house: _House) -> pd.DataFrame:
    first, template = house.first, house.template
    minimum = first["section"].map(dict(zip(template["key"], template["min_words"],
                                            strict=True))).astype("Int64")
    short = first[(first["word_count"] > 0) & (first["word_count"] < minimum)]
    return finding_rows(
        house.sg, "completeness.short_section", short["article_id"], section=short["section"],
        evidence=_words(short["word_count"]), line=short["line"],
        fields={"heading": short["heading"], "count": short["word_count"],
                "minimum": minimum[short.index]})


def _out_of_order(house: _House) -> pd.DataFrame:
    """A section placed after one that the template puts later."""
    sg, template = house.sg, house.template
    order_of = {key: i for i, key in enumerate(template["key"])}
    ordered = house.first.sort_values(["article_id", "position"]).copy()
    ordered["rank"] = ordered["section"].map(order_of).astype("float64")
    ordered["rank_before"] = ordered.groupby("article_id")["rank"].cummax().groupby(
        ordered["article_id"]).shift(1)
    late = ordered[ordered["rank"] < ordered["rank_before"]]
    before = late["rank_before"].astype(int).map(template["heading"])
    return finding_rows(
        sg, "completeness.out_of_order", late["article_id"], section=late["section"],
        evidence=late["heading"], line=late["line"],
        fields={"heading": late["heading"], "before": before})


def _unknown_heading(house: _House) -> pd.DataFrame:
    unknown = house.sections[house.sections["section"].isna()]
    return finding_rows(
        house.sg, "completeness.unknown_heading", unknown["article_id"],
        evidence=unknown["heading"], line=unknown["line"])


def _missing_intro(house: _House) -> pd.DataFrame:
    articles = house.articles
    intro_words = articles["intro"].fillna("").str.count(WORD_RE.pattern)
    minimum_intro = house.sg.rule("completeness.missing_intro")["min_words"]
    no_intro = articles[intro_words < minimum_intro]
    return finding_rows(
        house.sg, "completeness.missing_intro", no_intro["article_id"],
        evidence=_words(intro_words[no_intro.index]),
        line=no_intro["intro_line"].fillna(no_intro["risk_label_line"]).fillna(
            no_intro["title_line"]), fields={"minimum": minimum_intro})


def _no_risk_bullets(house: _House) -> pd.DataFrame:
    first = house.first
    risks_heading = first[first["section"] == "health_risks"].merge(
        house.articles[["article_id", "risk_count"]], on="article_id")
    bare = risks_heading[risks_heading["risk_count"] == 0]
    return finding_rows(
        house.sg, "completeness.no_risk_bullets", bare["article_id"], section=bare["section"],
        evidence=bare["heading"], line=bare["line"])


def _missing_disclaimer(house: _House) -> pd.DataFrame:
    articles = house.articles
    no_disclaimer = articles[~articles["has_disclaimer"]]
    return finding_rows(house.sg, "completeness.missing_disclaimer", no_disclaimer["article_id"])


def _altered_disclaimer(house: _House) -> pd.DataFrame:
    articles = house.articles
    wanted = _normalise(house.sg.template["disclaimer"])
    with_disclaimer = articles[articles["has_disclaimer"]]
    normalised = with_disclaimer["disclaimer"].map(_normalise)
    altered = with_disclaimer[normalised != wanted]
    return finding_rows(
        house.sg, "completeness.altered_disclaimer", altered["article_id"],
        evidence=altered["disclaimer"].map(lambda text: disclaimer_difference(wanted, text)),
        line=altered["disclaimer_line"])


#: The completeness rules, in the order their findings are gathered.
RULES: tuple[Callable[[_House], pd.DataFrame], ...] = (
    _missing_section, _duplicate_section, _empty_section, _short_section, _out_of_order,
    _unknown_heading, _missing_intro, _no_risk_bullets, _missing_disclaimer,
    _altered_disclaimer)


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
