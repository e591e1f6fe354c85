"""The aggregate tables behind the notebooks, plots and exports."""

from __future__ import annotations

import pandas as pd
import pytest
from corpus_factory import make_corpus, spec
from fake_audit import fake_audit

from stackwise_analysis import tables
from stackwise_analysis.audits.findings import make_findings
from stackwise_analysis.constants import AUDITS, SECTION_KEYS, SEVERITIES
from stackwise_analysis.styleguide import Styleguide, load_styleguide


@pytest.fixture(scope="module")
def fake():
    return fake_audit()


def test_completeness_matrix_marks_missing_short_empty_and_present():
    corpus = make_corpus(
        spec(article_id="full", sections={k: " ".join(["word"] * 80)
                                          for k in SECTION_KEYS if k != "health_risks"}),
        spec(article_id="gaps", sections={"science": None, "protocol": "Rest.",
                                          "watch_out": ""}),
    )
    matrix = tables.completeness_matrix(corpus)
    assert list(matrix.columns) == list(SECTION_KEYS)
    assert (matrix.loc["full"] == "present").all()
    assert matrix.loc["gaps", "science"] == "missing"
    assert matrix.loc["gaps", "protocol"] == "short"
    assert matrix.loc["gaps", "watch_out"] == "empty"
    assert matrix.loc["gaps", "health_risks"] == "present"
    assert tables.gap_score(matrix).to_dict() == {"full": 0, "gaps": 3 + 2 + 1 + 2}


def test_section_status_counts_cover_every_article(fake):
    corpus, _ = fake
    counts = tables.section_status_counts(tables.completeness_matrix(corpus))
    assert list(counts.columns) == list(tables.SECTION_STATES)
    assert (counts.sum(axis=1) == len(corpus.articles)).all()
    assert counts.loc["science", "missing"] == 1


def test_severity_counts_list_every_audit_and_severity(fake):
    _, result = fake
    counts = tables.severity_counts(result.findings)
    assert list(counts.index) == list(AUDITS) and list(counts.columns) == list(SEVERITIES)
    assert counts.to_numpy().sum() == len(result.findings)
    assert counts.loc["risk", "blocker"] == 1 and counts.loc["compliance"].sum() == 0


def test_findings_by_rule_counts_and_orders(fake):
    _, result = fake
    extra = make_findings([{"article_id": "a1", "audit": "risk", "check": "risk.too_few_risks",
                            "severity": "warning", "message": "m"}])
    by_rule = tables.findings_by_rule(pd.concat([result.findings, extra], ignore_index=True))
    assert by_rule.loc[0, "check"] == "risk.too_few_risks" and by_rule.loc[0, "total"] == 2
    assert (by_rule[list(SEVERITIES)].sum(axis=1) == by_rule["total"]).all()
    assert by_rule["total"].is_monotonic_decreasing


def test_worst_articles_rank_blockers_then_warnings_and_skip_clean_ones(fake):
    _, result = fake
    worst = tables.worst_articles(result.scorecard, 10)
    assert worst["article_id"].tolist() == ["a2", "a4", "a3"]
    assert tables.worst_articles(result.scorecard, 1)["article_id"].tolist() == ["a2"]


def test_risk_matrix_has_every_listed_risk_count_from_zero(fake):
    _, result = fake
    matrix = tables.risk_matrix(result.risk_summary, "listed_risks")
    assert list(matrix.index) == ["Low", "Moderate", "High", "(none)"]
    assert list(matrix.columns) == ["0", "1", "2", "3", "4"]
    assert matrix.to_numpy().sum() == 4
    assert matrix.loc["High", "1"] == 1


def test_label_counts_come_from_the_overall_rows(fake):
    _, result = fake
    counts = tables.label_counts(result.risk_summary).set_index("risk_level")["count"]
    assert counts.to_dict() == {"Low": 0, "Moderate": 2, "High": 1, "(none)": 1}


def test_target_band_follows_the_styleguide():
    assert tables.target_band() == (6.0, 8.0)
    data = load_styleguide().data
    custom = Styleguide(data={**data, "readability": {**data["readability"],
                                                      "target_grade": 6}})
    assert tables.target_band(custom) == (4.0, 6.0)


def test_grade_summary_counts_articles_per_band(fake):
    _, result = fake  # grades 7.2, 11.5, 9.1, 5.0
    summary = tables.grade_summary(result.readability).set_index("band")["articles"]
    assert summary.tolist() == [1, 1, 2, 1]


def test_section_grades_list_parts_in_house_order(fake):
    _, result = fake
    grades = tables.section_grades(result.readability)
    assert grades["part"].tolist() == list(SECTION_KEYS)
    assert grades.set_index("part").loc["science", "units"] == 3


def test_findings_table_filters_orders_and_limits(fake):
    _, result = fake
    table = tables.findings_table(result.findings, min_severity="warning")
    assert table["severity"].tolist() == ["blocker", "warning", "warning", "warning"]
    assert len(tables.findings_table(result.findings, "completeness")) == 2
    assert len(tables.findings_table(result.findings, limit=2)) == 2


def test_article_table_has_one_row_per_article_and_no_body_text(fake):
    corpus, result = fake
    table = tables.article_table(corpus, result.scorecard)
    assert len(table) == len(corpus.articles)
    assert "intro" not in table.columns and "disclaimer" not in table.columns
    assert {"blocker", "status", "category"} <= set(table.columns)


def test_shortest_and_hardest_articles(fake):
    corpus, result = fake
    shortest = tables.shortest_articles(corpus.articles, 2)
    assert shortest["word_count"].is_monotonic_increasing and len(shortest) == 2
    hardest = tables.hardest_articles(result.readability, corpus.articles, n=2)
    assert hardest["article_id"].tolist() == ["a2", "a3"]
    assert "title" in hardest.columns


def test_corpus_overview_and_counts_by(fake):
    corpus, _ = fake
    overview = tables.corpus_overview(corpus).set_index("what")["value"]
    assert overview["articles read"] == 4 and overview["files not read"] == 1
    counts = tables.counts_by(corpus.articles, "category")
    assert counts.iloc[0].tolist() == ["diet", 2]
    assert tables.counts_by(corpus.articles, "no_such_column").empty


def test_findings_tables_say_why_each_rule_exists(fake):
    _, result = fake
    guide = result.styleguide
    table = tables.findings_table(result.findings, styleguide=guide)
    assert len(table) and table["why"].tolist() == [
        guide.rule(check)["description"] for check in table["check"]]
    assert "why" not in tables.findings_table(result.findings).columns
    by_rule = tables.findings_by_rule(result.findings, guide).set_index("check")
    assert by_rule["description"].notna().all()
    assert by_rule["link"].isna().all() or by_rule["link"].dropna().str.startswith("http").all()
