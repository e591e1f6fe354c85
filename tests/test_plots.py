"""Figures: each returns a Figure that renders, copes with no data, and stays small at scale."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from fake_audit import fake_audit
from matplotlib.figure import Figure

from stackwise_analysis import plots, tables
from stackwise_analysis.audits.findings import make_findings
from stackwise_analysis.constants import SECTION_KEYS


@pytest.fixture(scope="module")
def fake():
    return fake_audit()


def _figures(corpus, result):
    matrix = tables.completeness_matrix(corpus)
    return {
        "word_count_histogram": plots.word_count_histogram(corpus.articles),
        "risk_label_chart": plots.risk_label_chart(result.risk_summary),
        "risk_by_category_chart": plots.risk_by_category_chart(result.risk_summary),
        "label_vs_risks_chart": plots.label_vs_risks_chart(result.risk_summary),
        "completeness_heatmap": plots.completeness_heatmap(matrix),
        "section_status_chart": plots.section_status_chart(
            tables.section_status_counts(matrix)),
        "grade_histogram": plots.grade_histogram(result.readability),
        "section_grade_chart": plots.section_grade_chart(
            tables.section_grades(result.readability)),
        "findings_by_rule_chart": plots.findings_by_rule_chart(
            tables.findings_by_rule(result.findings)),
        "worst_articles_chart": plots.worst_articles_chart(
            tables.worst_articles(result.scorecard)),
    }


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_every_figure_renders_to_png(fake):
    for name, fig in _figures(*fake).items():
        assert isinstance(fig, Figure), name
        assert _png(fig).startswith(b"\x89PNG"), name
        assert fig.axes[0].get_title() or not fig.axes[0].axison, name


def test_figures_with_no_data_say_so_instead_of_failing(fake):
    corpus, result = fake
    no_findings = make_findings([])
    for fig in (plots.findings_by_rule_chart(tables.findings_by_rule(no_findings)),
                plots.worst_articles_chart(tables.worst_articles(result.scorecard.iloc[0:0])),
                plots.grade_histogram(result.readability.iloc[0:0])):
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts and texts[0].startswith("no "), texts
        _png(fig)


def test_the_grade_histogram_shades_the_target_band(fake):
    _, result = fake
    ax = plots.grade_histogram(result.readability).axes[0]
    spans = [p for p in ax.patches if p.get_label().startswith("target band")]
    assert len(spans) == 1
    x0 = spans[0].get_x() if hasattr(spans[0], "get_x") else spans[0].get_xy()[0][0]
    assert np.isclose(x0, 6.0)


def test_the_label_vs_risks_heatmap_marks_each_minimum(fake):
    _, result = fake
    ax = plots.label_vs_risks_chart(result.risk_summary).axes[0]
    marks = [line.get_xdata()[0] for line in ax.lines]
    # Low needs 1, Moderate 3, High 4 listed risks: a bar left of that column
    assert sorted(marks) == [0.5, 2.5, 3.5]


def test_drawing_does_not_grow_with_the_corpus():
    rng = np.random.default_rng(1)
    n = 100_000
    readability = pd.DataFrame({"article_id": pd.array(np.arange(n).astype(str),
                                                       dtype="string"),
                                "scope": "article", "section": pd.NA,
                                "flesch_kincaid_grade": rng.normal(9, 3, n)})
    articles = pd.DataFrame({"word_count": pd.array(rng.integers(100, 1500, n),
                                                    dtype="Int64")})
    for fig in (plots.grade_histogram(readability), plots.word_count_histogram(articles)):
        ax = fig.axes[0]
        assert len(ax.patches) + len(ax.lines) + len(ax.collections) < 10
    states = rng.choice(list(tables.SECTION_STATES), size=(5000, len(SECTION_KEYS)))
    matrix = pd.DataFrame(states, columns=list(SECTION_KEYS)).astype(tables.SECTION_STATE_DTYPE)
    ax = plots.completeness_heatmap(matrix).axes[0]
    assert ax.images[0].get_array().shape == (plots.MAX_ROWS, len(SECTION_KEYS))
    assert "of 5000 articles" in ax.get_title()
