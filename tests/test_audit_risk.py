"""Tests for the risk audit: label findings and the tidy label-distribution table."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from corpus_factory import make_corpus, render, spec

from stackwise_analysis.audits.findings import FINDINGS_COLUMNS
from stackwise_analysis.audits.risk import NONE, SUMMARY_COLUMNS, risk_audit, risk_summary
from stackwise_analysis.styleguide import load_styleguide


@pytest.fixture(scope="module")
def sg():
    return load_styleguide()


def checks(sg, *specs, check=None):
    findings = risk_audit(make_corpus(*specs), sg).findings
    return findings if check is None else findings[findings["check"] == check]


def line_of(article_text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(article_text.split("\n"), 1) if needle in ln)


@pytest.mark.parametrize("label", ["Low Risk", "Moderate Risk", "High Risk"])
def test_clean_articles_have_no_findings(sg, label):
    findings = checks(sg, spec(label=label))
    assert findings.empty
    assert list(findings.columns) == list(FINDINGS_COLUMNS)


# ------------------------------------------------------------------ labels
def test_missing_label_fires_only_without_a_label(sg):
    found = checks(sg, spec(label=None), spec(article_id="a2"), check="risk.missing_label")
    assert found["article_id"].tolist() == ["a1"]
    assert found["severity"].astype(str).tolist() == ["blocker"]
    assert found["line"].tolist() == [1]


def test_unknown_label_quotes_the_raw_text(sg):
    found = checks(sg, spec(label="Extreme Risk"), spec(article_id="a2", label="High Risk"),
                   check="risk.unknown_label")
    assert found["article_id"].tolist() == ["a1"]
    row = found.iloc[0]
    assert row["evidence"] == "Extreme Risk"
    assert row["line"] == 3
    assert row["message"].startswith('The risk label "Extreme Risk" is not one of')


def test_unknown_label_is_not_also_missing(sg):
    assert checks(sg, spec(label="Extreme Risk"), check="risk.missing_label").empty


# ------------------------------------------------------------------ risk.too_few_risks
@pytest.mark.parametrize(("label", "count", "fires"), [
    ("Moderate Risk", 2, True),
    ("Moderate Risk", 3, False),
    ("High Risk", 3, True),
    ("High Risk", 4, False),
    ("Low Risk", 0, True),
    ("Low Risk", 1, False),
    ("Extreme Risk", 0, False),
])
def test_too_few_risks(sg, label, count, fires):
    article = spec(label=label, risks=tuple(f"risk {i}" for i in range(count)))
    found = checks(sg, article, check="risk.too_few_risks")
    assert len(found) == int(fires)
    if fires:
        row = found.iloc[0]
        level = label.split()[0]
        minimum = sg.rule("risk.too_few_risks")["min_risks"][level]
        risks = "health risk" if minimum == 1 else "health risks"  # agrees in number
        assert row["message"] == (f"A {level}-risk article should list at least {minimum} "
                                  f"{risks}; this one lists {count}.")
        assert row["section"] == "health_risks"
        assert row["line"] == line_of(render(article), "Health Risks")


def test_too_few_risks_without_a_health_risks_section(sg):
    found = checks(sg, spec(risks=None), check="risk.too_few_risks")
    assert found["evidence"].tolist() == ["0 listed"]
    assert found["line"].isna().all()


def test_too_few_risks_minimum_comes_from_the_styleguide(sg):
    custom = copy.deepcopy(dict(sg))  # a whole style guide as a plain dict works too
    custom["rules"]["risk.too_few_risks"]["min_risks"] = {"Moderate": 5}
    found = risk_audit(make_corpus(spec(), spec(article_id="a2", label="Low Risk", risks=())),
                       custom).findings
    assert found["article_id"].tolist() == ["a1"]


# ------------------------------------------------------------------ risk.understated
def test_understated_fires_for_low_article_naming_a_serious_harm(sg):
    sentence = "In rare cases it led to hospitalisation."
    article = spec(label="Low Risk", sections={"watch_out": "Go slowly.\n" + sentence})
    found = checks(sg, article, check="risk.understated")
    assert len(found) == 1
    row = found.iloc[0]
    assert row["evidence"] == sentence
    assert row["section"] == "watch_out"
    assert row["line"] == line_of(render(article), sentence)
    assert '("hospitalisation")' in row["message"]
    assert row["severity"] == "warning"


def test_understated_looks_at_risk_bullets(sg):
    article = spec(label="Low Risk", risks=("mild soreness", "skin infection"))
    row = checks(sg, article, check="risk.understated").iloc[0]
    assert row["section"] == "health_risks"
    assert row["evidence"] == "skin infection"
    assert row["line"] == line_of(render(article), "skin infection")


def test_understated_matches_plurals(sg):
    article = spec(label="Low Risk", sections={"watch_out": "Serious infections can occur."})
    found = checks(sg, article, check="risk.understated")
    assert found["message"].str.contains('("infections")', regex=False).tolist() == [True]


def test_understated_reports_each_term_once_at_its_first_sentence(sg):
    article = spec(label="Low Risk", intro="A stroke is rare. Talk to your doctor.",
                   sections={"watch_out": "Stroke risk rises with age. Death is possible."})
    found = checks(sg, article, check="risk.understated")
    assert found["evidence"].tolist() == ["A stroke is rare.", "Death is possible."]


@pytest.mark.parametrize(("label", "text"), [
    ("Moderate Risk", "In rare cases it led to hospitalisation."),
    ("High Risk", "Sepsis has been reported."),
    ("Low Risk", "It does not cause organ damage."),
    ("Low Risk", "There is no risk of infection."),
    ("Low Risk", "Blood clotting tests are routine."),
    ("Low Risk", "It is unlikely to cause a seizure."),
])
def test_understated_does_not_fire(sg, label, text):
    article = spec(label=label, sections={"watch_out": text})
    assert checks(sg, article, check="risk.understated").empty


# ------------------------------------------------------------------ risk_summary
@pytest.fixture
def corpus():
    return make_corpus(
        spec(article_id="a", label="Low Risk", risks=("x",), metadata={"category": "yoga"}),
        spec(article_id="b", label="Low Risk", risks=tuple("abcdefg"),
             metadata={"category": "yoga"}),
        spec(article_id="c", label="High Risk", metadata={"category": "diet"}),
        spec(article_id="d", label=None, metadata={"category": None}),
    )


def test_summary_has_the_tidy_columns_and_dtypes(corpus):
    table = risk_summary(corpus)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table.dtypes.astype(str).tolist() == [
        str(pd.Series(dtype=t).dtype) for t in SUMMARY_COLUMNS.values()]


def test_summary_overall_counts_and_shares(corpus):
    overall = risk_summary(corpus).query("dimension == 'overall'")
    assert overall["group"].unique().tolist() == ["all"]
    assert overall[["risk_level", "count", "share"]].astype(str).values.tolist() == [
        ["Low", "2", "0.5"], ["Moderate", "0", "0.0"], ["High", "1", "0.25"],
        [NONE, "1", "0.25"]]


def test_summary_shares_sum_to_one_per_group(corpus):
    table = risk_summary(corpus)
    sums = table.groupby(["dimension", "group"])["share"].sum()
    assert (sums.round(9) == 1).all()


def test_summary_by_category_keeps_missing_as_none(corpus):
    category = risk_summary(corpus).query("dimension == 'category' and count > 0")
    assert category[["group", "risk_level", "count"]].astype(str).values.tolist() == [
        ["diet", "High", "1"], ["yoga", "Low", "2"], [NONE, NONE, "1"]]


def test_summary_without_category_metadata_has_no_category_rows():
    table = risk_summary(make_corpus(spec()))
    assert "category" not in set(table["dimension"])
    assert "grade_band" not in set(table["dimension"])


def test_summary_listed_risks_groups_counts_and_caps(corpus):
    listed = risk_summary(corpus).query("dimension == 'listed_risks' and count > 0")
    assert listed[["group", "risk_level"]].astype(str).values.tolist() == [
        ["1", "Low"], ["4", "High"], ["4", NONE], ["6+", "Low"]]


def test_summary_word_count_bands(corpus):
    bands = risk_summary(corpus).query("dimension == 'word_count_band'")
    assert bands["group"].unique().tolist() == ["under 300"]
    assert bands["count"].sum() == 4


def test_summary_grade_bands_from_article_rows_of_readability(corpus):
    readability = pd.DataFrame({
        "article_id": ["a", "a", "b", "c"],
        "scope": ["article", "section", "article", "article"],
        "section": [None, "benefits", None, None],
        "flesch_kincaid_grade": [5.0, 14.0, 9.5, 13.2],
    })
    grades = risk_summary(corpus, readability).query("dimension == 'grade_band' and count > 0")
    assert grades[["group", "risk_level"]].astype(str).values.tolist() == [
        ["6 or below", "Low"], ["8-10", "Low"], ["above 12", "High"], [NONE, NONE]]


def test_summary_of_empty_corpus_is_empty_but_typed():
    corpus = make_corpus()
    table = risk_summary(corpus)
    assert table.empty
    assert list(table.columns) == list(SUMMARY_COLUMNS)


def test_summary_grade_bands_fall_back_to_section_na_rows(corpus):
    readability = pd.DataFrame({"article_id": ["a", "a"], "section": [None, "benefits"],
                                "flesch_kincaid_grade": [11.0, 3.0]})
    grades = risk_summary(corpus, readability).query("dimension == 'grade_band' and count > 0")
    assert grades[["group", "risk_level"]].astype(str).values.tolist() == [
        ["10-12", "Low"], [NONE, "Low"], [NONE, "High"], [NONE, NONE]]


def test_summary_skips_grade_bands_without_grades(corpus):
    readability = pd.DataFrame({"article_id": ["a"], "scope": ["article"]})
    assert "grade_band" not in set(risk_summary(corpus, readability)["dimension"])


def test_every_audit_has_one_shape(sg):
    from stackwise_analysis.audits import audit_functions
    from stackwise_analysis.constants import AUDITS

    functions = audit_functions()
    # every audit but "review", whose findings come from reviewers' waivers in a report run
    assert list(functions) == [a for a in AUDITS if a != "review"]
    corpus = make_corpus(spec(), spec(article_id="a2", label="Low Risk", risks=()))
    for name, run in functions.items():
        part = run(corpus, sg, as_of="2025-06-30")
        assert part.findings["audit"].eq(name).all(), name
        assert (part.table is not None) == (name == "readability"), name
