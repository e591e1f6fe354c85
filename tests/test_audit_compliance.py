"""Tests for the compliance audit: each rule fires on a bad article and not on a clean one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from corpus_factory import CLEAN_INTRO, make_corpus, render, spec

from stackwise_analysis.audits.compliance import compliance_audit, stale_findings
from stackwise_analysis.audits.findings import FINDINGS_COLUMNS
from stackwise_analysis.audits.units import section_bodies
from stackwise_analysis.styleguide import load_styleguide

AS_OF = "2025-06-30"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def sg():
    return load_styleguide()


def run(sg, *specs, **kwargs):
    kwargs.setdefault("as_of", AS_OF)
    return compliance_audit(make_corpus(*specs), sg, **kwargs).findings


def checks(findings, check):
    return findings[findings["check"] == check]


def line_of(article_text: str, needle: str) -> int:
    """1-based line of the first line of ``article_text`` containing ``needle``."""
    return next(i for i, ln in enumerate(article_text.split("\n"), 1) if needle in ln)


def test_clean_article_has_no_findings(sg):
    findings = run(sg, spec(metadata={"last_reviewed": "2025-01-15"}))
    assert findings.empty


def test_findings_have_the_contract_dtypes(sg):
    findings = run(sg, spec(intro="It cures everything."))
    assert list(findings.columns) == list(FINDINGS_COLUMNS)
    assert findings.dtypes.astype(str).tolist() == [
        str(pd.Series(dtype=t).dtype) for t in FINDINGS_COLUMNS.values()]
    assert set(findings["audit"]) == {"compliance"}


# ------------------------------------------------------------------ compliance.absolute_claim
@pytest.mark.parametrize("sentence", [
    "It is not a cure for joint disease.",
    "Use it alongside care rather than a standalone cure.",
    "There is no guarantee that it will help.",
    "Stretching is not a substitute for physiotherapy.",
    "It is never a miracle fix.",
    "It has not been proven to prevent arthritis.",
    "It doesn't cure arthritis.",
])
def test_negated_claims_do_not_fire(sg, sentence):
    findings = run(sg, spec(sections={"benefits": "Some people feel better. " + sentence}))
    assert checks(findings, "compliance.absolute_claim").empty


@pytest.mark.parametrize(("sentence", "term"), [
    ("Stretching works every time.", "works every time"),
    ("Relief is guaranteed.", "guaranteed"),
    ("It is a miracle for stiff knees.", "miracle"),
    ("It is 100% safe.", "100% safe"),
    ("There are no side effects.", "no side effects"),
    ("It is risk-free.", "risk-free"),
    ("It is clinically proven to loosen joints.", "clinically proven"),
    ("The band is FDA approved.", "FDA approved"),
])
def test_claims_fire_with_sentence_section_and_line(sg, sentence, term):
    article = spec(sections={"benefits": "Some people feel better.\n\nFor most. " + sentence})
    found = checks(run(sg, article), "compliance.absolute_claim")
    assert len(found) == 1
    row = found.iloc[0]
    assert row["evidence"] == sentence
    assert row["section"] == "benefits"
    assert row["line"] == line_of(render(article), sentence)
    assert row["severity"] == "blocker"
    assert f'("{term}")' in row["message"]


def test_claim_in_intro_has_intro_line_and_no_section(sg):
    article = spec(intro=CLEAN_INTRO + "\nMany call it a miracle.")
    row = checks(run(sg, article), "compliance.absolute_claim").iloc[0]
    assert pd.isna(row["section"])
    assert row["line"] == line_of(render(article), "Many call it")


def test_claim_in_a_risk_bullet_points_at_the_bullet(sg):
    article = spec(risks=("mild soreness", "none, it is risk-free", "fatigue"))
    row = checks(run(sg, article), "compliance.absolute_claim").iloc[0]
    assert row["section"] == "health_risks"
    assert row["evidence"] == "none, it is risk-free"
    assert row["line"] == line_of(render(article), "risk-free")


def test_claim_under_unknown_heading_is_still_scanned(sg):
    article = spec(sections={"Our Verdict": "It cures stiffness."})
    row = checks(run(sg, article), "compliance.disease_claim").iloc[0]
    assert pd.isna(row["section"])
    assert row["line"] == line_of(render(article), "It cures stiffness.")


def test_one_finding_per_sentence_naming_its_first_claim(sg):
    article = spec(sections={"benefits": "A guaranteed miracle cure. It cures pain."})
    findings = run(sg, article)
    found = checks(findings, "compliance.absolute_claim")
    assert found["evidence"].tolist() == ["A guaranteed miracle cure."]
    assert '("guaranteed")' in found["message"].iloc[0]
    disease = checks(findings, "compliance.disease_claim")
    assert disease["evidence"].tolist() == ["It cures pain."]
    assert 'cures "pain"' in disease["message"].item()


def test_long_sentence_evidence_is_kept_whole(sg):
    sentence = "Relief is guaranteed for " + "very " * 80 + "stiff joints."
    row = checks(run(sg, spec(sections={"benefits": sentence})),
                 "compliance.absolute_claim").iloc[0]
    assert row["evidence"] == sentence


def test_disclaimer_is_never_scanned(sg):
    disclaimer = ("The information provided by Stackwise is for informational purposes only. "
                  "It cures everything, guaranteed. Always consult your healthcare provider.")
    article = spec(intro="Gentle stretching is studied for stiff joints (Lee et al., 2021).",
                   disclaimer=disclaimer)
    findings = run(sg, article)
    assert not findings["check"].str.endswith("_claim").any()
    assert len(checks(findings, "compliance.no_consult_advice")) == 1


def test_section_bodies_cover_intro_and_sections_but_not_the_disclaimer():
    units = section_bodies(make_corpus(spec()))
    assert units["section"].isna().sum() == 1
    assert units["section"].dropna().tolist()[-1] == "health_risks"
    assert not units["text"].str.contains("informational purposes").any()


def test_severity_and_message_come_from_the_styleguide(sg):
    custom = sg.override({"rules": {"compliance.absolute_claim": {
        "level": "warning", "message": "Claim: {term}.", "terms": ["wonder"]}}})
    findings = run(custom, spec(intro="A wonder. It cures it."))
    found = checks(findings, "compliance.absolute_claim")
    assert found[["severity", "message"]].astype(str).values.tolist() == [
        ["warning", "Claim: wonder."]]


# ------------------------------------------------------------------ compliance.no_consult_advice
def test_no_consult_advice_fires_without_advice(sg):
    article = spec(intro="Gentle stretching is studied for stiff joints (Lee et al., 2021).")
    found = checks(run(sg, article), "compliance.no_consult_advice")
    assert found["article_id"].tolist() == ["a1"]
    assert found["severity"].astype(str).tolist() == ["warning"]


@pytest.mark.parametrize("advice", [
    "Ask your doctor first.", "Work under medical supervision.",
    "Your pharmacist can check interactions.", "Consult a physiotherapist.",
])
def test_no_consult_advice_does_not_fire_with_advice(sg, advice):
    article = spec(intro="Gentle stretching is studied for stiff joints (Lee et al., 2021).",
                   sections={"watch_out": advice})
    assert checks(run(sg, article), "compliance.no_consult_advice").empty


# ------------------------------------------------------------------ compliance.risks_not_disclosed
@pytest.mark.parametrize("risks", [(), None])
def test_risks_not_disclosed_fires_without_bullets(sg, risks):
    article = spec(risks=risks)
    found = checks(run(sg, article), "compliance.risks_not_disclosed")
    assert len(found) == 1
    assert found["severity"].astype(str).iloc[0] == "blocker"
    expected_line = line_of(render(article), "Health Risks") if risks is not None else None
    assert (pd.isna(found["line"].iloc[0]) if expected_line is None
            else found["line"].iloc[0] == expected_line)


def test_risks_not_disclosed_does_not_fire_with_one_bullet(sg):
    assert checks(run(sg, spec(risks=("bruising",))), "compliance.risks_not_disclosed").empty


# ------------------------------------------------------------------ compliance.no_uncertainty
@pytest.mark.parametrize("label", ["Moderate Risk", "High Risk"])
def test_no_uncertainty_fires_for_moderate_and_high(sg, label):
    article = spec(label=label, sections={"science": "Studies agree."})
    found = checks(run(sg, article), "compliance.no_uncertainty")
    assert len(found) == 1
    level = label.split()[0]
    assert found["message"].iloc[0].startswith(f"A {level}-risk article")
    assert found["line"].iloc[0] == 3


@pytest.mark.parametrize(("label", "science"), [
    ("Low Risk", "Studies agree."),
    ("Moderate Risk", "Results so far are preliminary."),
    ("High Risk", "Long-term effects are not yet known."),
])
def test_no_uncertainty_does_not_fire(sg, label, science):
    article = spec(label=label, sections={"science": science})
    assert checks(run(sg, article), "compliance.no_uncertainty").empty


# ------------------------------------------------------------------ compliance.no_sources
@pytest.mark.parametrize("citation", [
    "See https://example.org/study.", "doi:10.1000/182", "Lee et al. found this.",
    "A trial (2019) found this.", "PMID 12345678", "References are listed below.",
])
def test_no_sources_does_not_fire_with_a_citation(sg, citation):
    article = spec(intro="Talk to your doctor first.", sections={"science": "Evidence is "
                   "limited. " + citation})
    assert checks(run(sg, article), "compliance.no_sources").empty


@pytest.mark.parametrize("text", [
    "Evidence is limited.", "Good sources of protein help recovery.", "Call 2019 today.",
])
def test_no_sources_fires_without_a_citation(sg, text):
    article = spec(intro="Talk to your doctor first.", sections={"science": text})
    found = checks(run(sg, article), "compliance.no_sources")
    assert found["severity"].astype(str).tolist() == ["warning"]


# ------------------------------------------------------------------ compliance.stale_content
@pytest.mark.parametrize(("reviewed", "stale"), [
    ("2023-06-29", True),
    ("2023-06-30", False),
    ("2025-01-01", False),
    (None, False),
])
def test_stale_content_against_as_of(sg, reviewed, stale):
    found = checks(run(sg, spec(metadata={"last_reviewed": reviewed})),
                   "compliance.stale_content")
    assert len(found) == int(stale)
    if stale:
        assert found["evidence"].iloc[0] == reviewed
        assert "more than 24 months ago" in found["message"].iloc[0]


def test_stale_content_needs_the_metadata_column(sg):
    assert checks(run(sg, spec()), "compliance.stale_content").empty


def test_stale_content_defaults_to_today(sg):
    corpus = make_corpus(spec(metadata={"last_reviewed": "1999-01-01"}))
    found = checks(compliance_audit(corpus, sg).findings, "compliance.stale_content")
    assert found["evidence"].tolist() == ["1999-01-01"]


def test_stale_findings_need_only_the_articles_table(sg):
    corpus = make_corpus(spec(metadata={"last_reviewed": "2022-02-01"}),
                         spec(article_id="a2", metadata={"last_reviewed": "2025-02-01"}))
    found = stale_findings(corpus.articles, sg, dt.date(2025, 6, 30))
    assert found["article_id"].tolist() == ["a1"]
    assert list(found.columns) == list(FINDINGS_COLUMNS)
    assert stale_findings(corpus.articles.drop(columns="last_reviewed"), sg).empty


def test_stale_after_months_comes_from_the_styleguide(sg):
    custom = sg.override({"rules": {"compliance.stale_content": {"months": 6}}})
    article = spec(metadata={"last_reviewed": "2024-12-01"})
    assert checks(run(sg, article), "compliance.stale_content").empty
    found = checks(run(custom, article), "compliance.stale_content")
    assert "more than 6 months ago" in found["message"].iloc[0]


# ------------------------------------------------------------------ the real reference article
def test_reference_article(sg):
    reference = SHARED / "reference"
    if not reference.is_dir():
        pytest.skip("../shared/reference is not beside this checkout")
    from stackwise_analysis import load_corpus

    findings = compliance_audit(load_corpus(reference), sg, as_of=AS_OF).findings
    # The reference hedges its claims: an info-level hedged claim is fair, a blocker is not.
    assert set(findings["check"]) <= {"compliance.no_sources", "compliance.hedged_claim"}
    assert "compliance.no_sources" in set(findings["check"])


def test_factory_matches_the_loader(tmp_path):
    from stackwise_analysis import load_corpus

    article = spec(intro="One.\nTwo.", sections={"benefits": "A.\n\nB.", "Odd": "C."})
    (tmp_path / "a1.txt").write_text(render(article), encoding="utf-8")
    loaded, built = load_corpus(tmp_path), make_corpus(article)
    for name in ("sections", "risks"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(built, name))
    columns = [c for c in built.articles.columns if c != "content_sha256"]
    pd.testing.assert_frame_equal(loaded.articles[columns], built.articles[columns])
