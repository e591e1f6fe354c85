"""Compliance audit: cure claims, consult advice, risk disclosure, uncertainty, sources, age."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..claims import as_arrow, lexicon_source, texts_matching
from ..corpus import Corpus
from ..styleguide import Styleguide, as_styleguide
from ..text.claim_screen import screen
from ..text.claims import ClaimFinder, ClaimWords
from ..text.conditions import load_condition_terms
from ..text.medicines import load_medicine_names
from ..text.sentences import splitter_of
from .findings import AuditPart, finding_rows, make_findings
from .units import first_section, section_bodies

AUDIT = "compliance"


def compliance_audit(corpus: Corpus, styleguide: Styleguide | Mapping | None = None, *,
                     as_of: dt.date | str | None = None) -> AuditPart:
    """Findings of the compliance rules (``compliance.*`` in the style guide).

    Scans the intro and every section body (Health Risks bullets included), never the
    disclaimer. Per sentence: absolute or cure claims, negated and hedged mentions left out.
    Per article: no advice to consult a professional, no risks disclosed, no acknowledged
    uncertainty (Moderate and High articles), no sources cited, and ``last_reviewed`` older
    than the rule's ``months`` before ``as_of``.

    Parameters
    ----------
    corpus : Corpus
        From ``load_corpus``.
    styleguide : Styleguide or mapping, optional
        The house rules (a ``Styleguide`` or the parsed YAML as a dict); the packaged rules
        when None.
    as_of : date or str, optional
        The day staleness is judged on; today when None.

    Returns
    -------
    AuditPart
        ``findings`` in the findings contract (``FINDINGS_COLUMNS``), no table.

    Examples
    --------
    >>> found = compliance_audit(corpus, styleguide, as_of="2025-01-01").findings
    >>> found["audit"].unique().tolist(), found["check"].str.startswith("compliance.").all()
    (['compliance'], np.True_)
    """
    units = section_bodies(corpus)
    prose = _Prose(sg=as_styleguide(styleguide), articles=corpus.articles,
                   sections=corpus.sections, units=units, texts=as_arrow(units["text"]),
                   as_of=as_of)
    return AuditPart(make_findings([rule(prose) for rule in RULES], audit=AUDIT))


@dataclass(frozen=True)
class _Prose:
    """What the rules read: the style guide, the corpus's tables, its section bodies
    (``units``, their text once as Arrow in ``texts``) and the day staleness is judged on."""

    sg: Styleguide
    articles: pd.DataFrame
    sections: pd.DataFrame
    units: pd.DataFrame
    texts: object
    as_of: dt.date | str | None


def _claims(prose: _Prose) -> pd.DataFrame:
    return claim_findings(prose.units, prose.sg)


def _no_consult_advice(prose: _Prose) -> pd.DataFrame:
    source = lexicon_source(prose.sg.rule("compliance.no_consult_advice")["phrases"])
    return _absent(prose, "compliance.no_consult_advice", source)


def _no_sources(prose: _Prose) -> pd.DataFrame:
    patterns = prose.sg.rule("compliance.no_sources")["patterns"]
    source = "|".join(f"(?:{p})" for p in patterns) or r"(?:$.^)"
    return _absent(prose, "compliance.no_sources", source, ignore_case=False)


def _stale(prose: _Prose) -> pd.DataFrame:
    return stale_findings(prose.articles, prose.sg, prose.as_of)


_CLAIM_CHECKS = {"disease": "compliance.disease_claim", "hedged": "compliance.hedged_claim",
                 "absolute": "compliance.absolute_claim"}


@lru_cache(maxsize=8)
def claim_finder(sg: Styleguide) -> ClaimFinder:
    """The style guide's claim finder (its word lists and the condition vocabulary)."""
    disease = sg.rule("compliance.disease_claim")
    words = ClaimWords.from_mapping({
        **disease, **sg["claims"], "hedges": sg.rule("compliance.hedged_claim")["hedges"],
        "absolute": sg.rule("compliance.absolute_claim")["terms"],
        "absolute_qualifiers": sg.rule("compliance.absolute_claim")["qualifiers"]})
    terms = load_condition_terms(disease["conditions_add"], disease["conditions_remove"])
    return ClaimFinder(words, terms["term"], terms["kind"], load_medicine_names())


# Token flags worked out once per process and reused for every chunk.
_TOKEN_FLAGS: dict[str, int] = {}


def claim_findings(units: pd.DataFrame, sg: Styleguide) -> pd.DataFrame:
    """``compliance.disease_claim``, ``hedged_claim`` and ``absolute_claim``: one finding per
    sentence and kind the writer asserts (``text.claims``). The evidence is the sentence, the
    message names the claim and its condition, ``line`` is the sentence's line.

    Only the sentences ``text.claim_screen`` picks (about a third on the benchmark corpus) are
    read closely, each distinct one once per chunk.
    """
    finder = claim_finder(sg)
    split = splitter_of(sg)
    picked = screen(as_arrow(units["text"]), finder, split,
                    _TOKEN_FLAGS.setdefault(sg.sha256, {}))
    # A sentence is read once however often it recurs (boilerplate, a paragraph pasted
    # into many articles): ``find`` depends on the sentence's text alone.
    which, distinct = pd.factorize(pd.Series(picked.sentence, dtype=object), sort=False)
    claims = [finder.find(sentence) for sentence in distinct]
    rows = [(unit, claim.kind, sentence, lines, claim.phrase, claim.condition)
            for unit, code, sentence, lines in zip(picked.unit, which, picked.sentence,
                                                   picked.lines_before, strict=True)
            for claim in claims[code]]
    hits = pd.DataFrame.from_records(
        rows, columns=["row", "kind", "sentence", "newlines", "phrase", "condition"])
    parts = []
    for kind, check in _CLAIM_CHECKS.items():
        found = hits[hits["kind"] == kind].reset_index(drop=True)
        where = units.iloc[found["row"].to_numpy(dtype=int)].reset_index(drop=True)
        parts.append(finding_rows(
            sg, check, where["article_id"], section=where["section"],
            evidence=found["sentence"].astype("string"),
            line=where["line"] + found["newlines"].astype("Int64"),
            fields={"term": found["phrase"], "claim": _claim_words(found)}))
    return make_findings(parts)


def _claim_words(found: pd.DataFrame) -> pd.Series:
    """How a message names a claim: 'lowers "triglycerides"' or '"natural antibiotic"'."""
    condition = found["condition"].fillna("").astype(str)
    phrase = found["phrase"].astype(str)
    return pd.Series(np.where(condition != "", phrase + ' "' + condition + '"',
                              '"' + phrase + '"'), index=found.index, dtype="string")


def articles_matching(units: pd.DataFrame, source: str, *, texts=None,
                      ignore_case: bool = True) -> pd.Index:
    """Ids of the articles with at least one unit matching the regex ``source``;
    ``texts`` is ``units["text"]`` already passed through ``as_arrow``, if at hand."""
    hit = texts_matching(units["text"] if texts is None else texts, source,
                         ignore_case=ignore_case)
    return pd.Index(units.loc[hit, "article_id"].unique())


def _absent(prose: _Prose, check: str, source: str, *, ignore_case: bool = True
            ) -> pd.DataFrame:
    """Article-level finding for articles where nothing matches ``source``."""
    found = articles_matching(prose.units, source, texts=prose.texts, ignore_case=ignore_case)
    lacking = prose.articles[~prose.articles["article_id"].isin(found)]
    return finding_rows(prose.sg, check, lacking["article_id"])


def _risks_not_disclosed(prose: _Prose) -> pd.DataFrame:
    articles = prose.articles
    bare = articles[articles["risk_count"].fillna(0) == 0]
    heading = first_section(prose.sections, "health_risks")
    line = bare["article_id"].map(heading["line"]).astype("Int64")
    return finding_rows(prose.sg, "compliance.risks_not_disclosed", bare["article_id"],
                        section="health_risks", evidence="0 health risks listed", line=line)


def _no_uncertainty(prose: _Prose) -> pd.DataFrame:
    rule = prose.sg.rule("compliance.no_uncertainty")
    articles = prose.articles
    levels = articles["risk_level"].astype("string")
    due = articles[levels.isin(rule["levels"]).fillna(False)]
    found = articles_matching(prose.units, lexicon_source(rule["phrases"]), texts=prose.texts)
    lacking = due[~due["article_id"].isin(found)]
    return finding_rows(
        prose.sg, "compliance.no_uncertainty", lacking["article_id"],
        evidence=lacking["risk_label_raw"], line=lacking["risk_label_line"],
        fields={"risk_level": lacking["risk_level"].astype("string")})


#: The compliance rules, in the order their findings are gathered.
RULES: tuple[Callable[[_Prose], pd.DataFrame], ...] = (
    _claims, _no_consult_advice, _risks_not_disclosed, _no_uncertainty, _no_sources, _stale)


def stale_findings(articles: pd.DataFrame, styleguide: Mapping | None = None,
                   as_of: dt.date | str | None = None) -> pd.DataFrame:
    """``compliance.stale_content``: articles whose ``last_reviewed`` is more than
    ``months`` (the rule's) before ``as_of`` (today when None). No finding without the
    ``last_reviewed`` column or for an article without a date.

    It needs only ``articles``, so a runner that audits article text in cached chunks can
    judge staleness corpus-wide afterwards.

    Examples
    --------
    >>> articles = pd.DataFrame({"article_id": ["a", "b"],
    ...                          "last_reviewed": pd.to_datetime(["2020-01-31", "2024-05-01"])})
    >>> stale_findings(articles, as_of="2025-01-01")["evidence"].tolist()
    ['2020-01-31']
    """
    sg = as_styleguide(styleguide)
    if "last_reviewed" not in articles.columns:
        return make_findings([])
    months = int(sg.rule("compliance.stale_content")["months"])
    reviewed = pd.to_datetime(articles["last_reviewed"], errors="coerce")
    today = pd.Timestamp.now() if as_of is None else pd.Timestamp(as_of)
    tz = getattr(reviewed.dt, "tz", None)
    if tz is not None:
        today = today.tz_localize(tz) if today.tzinfo is None else today.tz_convert(tz)
    cutoff = today.normalize() - pd.DateOffset(months=months)
    stale = articles[(reviewed < cutoff).fillna(False)]
    return make_findings([finding_rows(
        sg, "compliance.stale_content", stale["article_id"],
        evidence=reviewed[stale.index].dt.strftime("%Y-%m-%d"), fields={"months": months})])
