"""Matplotlib figures for the notebooks: each takes DataFrames, aggregates, returns a Figure.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so they are safe in
any thread and never pop up a window; a notebook shows one by leaving it as the cell's last
expression. Every function aggregates first (counts, bins, medians), so the number of drawn
marks does not grow with the corpus.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import tables
from .constants import AUDITS, SEVERITIES

LEVEL_COLORS = {"Low": "#6aaa64", "Moderate": "#e6a23c", "High": "#c9372c", "(none)": "#a0a0a0"}
SEVERITY_COLORS = {"info": "#7fa7d1", "warning": "#e6a23c", "blocker": "#c9372c"}
STATE_COLORS = {"present": "#6aaa64", "short": "#c6dbef", "empty": "#e6a23c",
                "missing": "#c9372c"}
BAND_COLOR = "#6aaa64"
#: Rows a heatmap or bar chart shows at most; the rest are summarised in the title.
MAX_ROWS = 40


def _figure(width: float = 7.0, height: float = 3.6):
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes,
            color="#555555")
    ax.set_axis_off()


def _tidy(ax, counts: str | None = None) -> None:
    """Drop the top and right frame; ``counts`` ("x"/"y") is an axis of whole numbers."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if counts:
        getattr(ax, f"{counts}axis").set_major_locator(MaxNLocator(integer=True))


# ------------------------------------------------------------------------------ corpus
def word_count_histogram(articles: pd.DataFrame, bins: int = 20) -> Figure:
    """How long the articles are: a histogram of ``word_count``.

    >>> word_count_histogram(corpus.articles)
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure()
    words = articles["word_count"].astype("float64").dropna().to_numpy()
    if not len(words):
        _empty(ax, "no articles")
        return fig
    counts, edges = np.histogram(words, bins=bins)
    ax.stairs(counts, edges, fill=True, color="#7fa7d1", edgecolor="#3b6b9a")
    ax.axvline(np.median(words), color="#333333", linestyle="--", linewidth=1,
               label=f"median {np.median(words):.0f} words")
    ax.set(xlabel="words per article", ylabel="articles", title="Article length")
    ax.legend(frameon=False)
    _tidy(ax, "y")
    return fig


# ------------------------------------------------------------------------------ risk
def risk_label_chart(risk_summary: pd.DataFrame) -> Figure:
    """Articles per risk label, ``(none)`` for a missing or unknown label.

    >>> risk_label_chart(result.risk_summary)
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure(6.0, 3.4)
    table = tables.label_counts(risk_summary)
    levels = table["risk_level"].astype(str).tolist()
    counts = table["count"].astype("int64").to_numpy()
    bars = ax.bar(levels, counts, color=[LEVEL_COLORS.get(v, "#888888") for v in levels])
    ax.bar_label(bars, labels=[f"{c} ({s:.0%})" for c, s in
                               zip(counts, table["share"].astype("float64").fillna(0),
                                   strict=True)], padding=2)
    ax.set(ylabel="articles", title="Articles per risk label")
    ax.margins(y=0.15)
    _tidy(ax, "y")
    return fig


def risk_by_category_chart(risk_summary: pd.DataFrame) -> Figure:
    """Share of each risk label within each category (needs category metadata).

    >>> risk_by_category_chart(result.risk_summary)
    <Figure size ... with 1 Axes>
    """
    matrix = tables.risk_matrix(risk_summary, "category")
    fig, ax = _figure(7.0, 0.45 * max(3, len(matrix.columns)) + 1.2)
    if matrix.empty or matrix.to_numpy().sum() == 0:
        _empty(ax, "no category metadata in this corpus")
        return fig
    shares = matrix / matrix.sum(axis=0).replace(0, 1)
    left = np.zeros(len(matrix.columns))
    for level in matrix.index:
        values = shares.loc[level].to_numpy(dtype="float64")
        ax.barh(matrix.columns, values, left=left, color=LEVEL_COLORS.get(level), label=level)
        left += values
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    totals = matrix.sum(axis=0)
    ax.set_yticks(range(len(matrix.columns)),
                  [f"{c} ({totals[c]})" for c in matrix.columns])
    ax.set(xlabel="share of the category's articles", title="Risk label by category")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    _tidy(ax)
    return fig


def label_vs_risks_chart(risk_summary: pd.DataFrame, styleguide=None) -> Figure:
    """Risk label against the number of listed health risks, as a count heatmap.

    A black bar marks each label's house minimum: articles in cells left of it list too few
    risks for their label.

    >>> label_vs_risks_chart(result.risk_summary)
    <Figure size ... with 1 Axes>
    """
    matrix = tables.risk_matrix(risk_summary, "listed_risks")
    fig, ax = _figure(7.0, 3.2)
    if matrix.empty or matrix.to_numpy().sum() == 0:
        _empty(ax, "no articles")
        return fig
    minimum = tables.minimum_risks(styleguide)
    if not any(c.endswith("+") for c in matrix.columns):
        # show the columns up to the highest minimum even where no article falls
        wanted = [str(n) for n in range(max([*minimum.values(), len(matrix.columns) - 1]) + 1)]
        matrix = matrix.reindex(columns=wanted, fill_value=0)
    values = matrix.to_numpy()
    ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
    top = values.max() or 1
    for (row, col), count in np.ndenumerate(values):
        ax.text(col, row, str(count), ha="center", va="center", fontsize=9,
                color="white" if count > top * 0.6 else "#222222")
    for row, level in enumerate(matrix.index):
        if level in minimum:
            x = minimum[level] - 0.5
            ax.plot([x, x], [row - 0.5, row + 0.5], color="black", linewidth=3,
                    label="house minimum" if row == 0 else None)
    ax.set_xticks(range(len(matrix.columns)), matrix.columns)
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    ax.set(xlabel="health risks listed", ylabel="risk label",
           title="Risk label vs listed health risks (articles)")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 1.18), frameon=False, fontsize=8)
    return fig


# ------------------------------------------------------------------------------ completeness
def completeness_heatmap(matrix: pd.DataFrame, max_articles: int = MAX_ROWS) -> Figure:
    """Article x section heatmap of section states, the articles with most gaps first.

    Only the ``max_articles`` articles furthest from complete are drawn; the title says how
    many there are in all.

    >>> completeness_heatmap(tables.completeness_matrix(corpus))
    <Figure size ... with 1 Axes>
    """
    order = tables.gap_score(matrix).sort_values(ascending=False, kind="stable")
    shown = matrix.loc[order.index[:max_articles]]
    fig, ax = _figure(7.5, 0.22 * max(len(shown), 8) + 1.6)
    if shown.empty:
        _empty(ax, "no articles")
        return fig
    codes = np.stack([shown[c].cat.codes.to_numpy() for c in shown.columns], axis=1)
    states = list(tables.SECTION_STATES)
    cmap = ListedColormap([STATE_COLORS[s] for s in states])
    norm = BoundaryNorm(np.arange(len(states) + 1) - 0.5, cmap.N)
    ax.imshow(codes, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(shown.columns)), shown.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(shown)), shown.index, fontsize=7)
    ax.tick_params(axis="both", length=0)
    complete = int((order == 0).sum())
    ax.set_title(f"Section completeness: {len(shown)} of {len(matrix)} articles, most gaps "
                 f"first ({complete} complete)", fontsize=10)
    ax.legend(handles=[Patch(color=STATE_COLORS[s], label=s) for s in states], ncols=4,
              loc="lower center", bbox_to_anchor=(0.5, 1.0 + 0.6 / max(len(shown), 8)),
              frameon=False, fontsize=8)
    return fig


def section_status_chart(counts: pd.DataFrame) -> Figure:
    """Per house section, how many articles have it present, short, empty or missing.

    >>> section_status_chart(tables.section_status_counts(tables.completeness_matrix(corpus)))
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure(7.0, 3.4)
    if counts.to_numpy().sum() == 0:
        _empty(ax, "no articles")
        return fig
    left = np.zeros(len(counts))
    for state in counts.columns:
        values = counts[state].to_numpy(dtype="float64")
        ax.barh(counts.index.astype(str), values, left=left, color=STATE_COLORS.get(state),
                label=state)
        left += values
    ax.invert_yaxis()
    ax.set(xlabel="articles", title="Each house section across the corpus")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    _tidy(ax, "x")
    return fig


# ------------------------------------------------------------------------------ readability
def grade_histogram(readability: pd.DataFrame, styleguide=None, *,
                    lowest: float = 0, highest: float = 20) -> Figure:
    """Reading grade of each article as a histogram, the target band shaded.

    Grades outside ``lowest``..``highest`` are counted in the outermost bars. The dashed
    line is the grade from which the style guide raises a warning.

    >>> grade_histogram(result.readability)
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure()
    metric = tables.grade_metric(styleguide)
    grades = tables.article_rows(readability)[metric].astype("float64").dropna().to_numpy()
    if not len(grades):
        _empty(ax, "no reading grades")
        return fig
    low, high = tables.target_band(styleguide)
    warning = tables.warning_grade(styleguide)
    edges = np.arange(lowest, highest + 1, 1.0)
    counts, _ = np.histogram(np.clip(grades, lowest, highest - 1e-9), bins=edges)
    ax.axvspan(low, high, color=BAND_COLOR, alpha=0.18,
               label=f"target band (grade {low:g} to {high:g})")
    ax.stairs(counts, edges, fill=True, color="#7fa7d1", edgecolor="#3b6b9a", label="articles")
    ax.axvline(warning, color=SEVERITY_COLORS["warning"], linestyle="--", linewidth=1.5,
               label=f"warning above grade {warning:g}")
    ax.set(xlabel=f"reading grade ({metric.replace('_', ' ')})", ylabel="articles",
           title=f"Reading grade of {len(grades)} articles")
    ax.set_xlim(lowest, highest)
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax, "y")
    return fig


def section_grade_chart(grades: pd.DataFrame, styleguide=None) -> Figure:
    """Median reading grade per part of the article (intro, each section), target marked.

    >>> section_grade_chart(tables.section_grades(result.readability))
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure(7.0, 3.4)
    if grades.empty:
        _empty(ax, "no section grades")
        return fig
    low, high = tables.target_band(styleguide)
    ax.axvspan(low, high, color=BAND_COLOR, alpha=0.18, label="target band")
    ax.barh(grades["part"].astype(str), grades["median"].astype("float64"), color="#7fa7d1",
            label="median")
    ax.scatter(grades["p90"].astype("float64"), grades["part"].astype(str), color="#3b6b9a",
               marker="|", s=200, label="90th percentile")
    ax.invert_yaxis()
    ax.set(xlabel="reading grade", title="Reading grade by part of the article")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncols=3)
    _tidy(ax)
    return fig


# ------------------------------------------------------------------------------ findings
def _stacked_severity(ax, labels: list[str], table: pd.DataFrame) -> None:
    left = np.zeros(len(labels))
    for severity in reversed(SEVERITIES):
        values = table[severity].to_numpy(dtype="float64")
        ax.barh(labels, values, left=left, color=SEVERITY_COLORS[severity], label=severity)
        left += values
    ax.invert_yaxis()
    ax.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
              fontsize=8)
    _tidy(ax, "x")


def findings_by_rule_chart(by_rule: pd.DataFrame, max_rules: int = 25) -> Figure:
    """Findings per rule, stacked by severity (from ``tables.findings_by_rule``).

    >>> findings_by_rule_chart(tables.findings_by_rule(result.findings))
    <Figure size ... with 1 Axes>
    """
    shown = by_rule.head(max_rules)
    fig, ax = _figure(7.5, 0.3 * max(len(shown), 4) + 1.2)
    if shown.empty:
        _empty(ax, "no findings: every article passes every rule")
        return fig
    _stacked_severity(ax, shown["check"].astype(str).tolist(), shown)
    more = f" (top {len(shown)} of {len(by_rule)} rules)" if len(by_rule) > len(shown) else ""
    ax.set(xlabel="findings")
    ax.set_title(f"Findings by rule and severity{more}", pad=18)
    return fig


def worst_articles_chart(worst: pd.DataFrame) -> Figure:
    """The articles with the most serious findings, stacked by severity.

    >>> worst_articles_chart(tables.worst_articles(result.scorecard))
    <Figure size ... with 1 Axes>
    """
    fig, ax = _figure(7.5, 0.3 * max(len(worst), 4) + 1.2)
    if worst.empty:
        _empty(ax, "no article has a finding")
        return fig
    _stacked_severity(ax, worst["article_id"].astype(str).tolist(), worst)
    ax.set(xlabel="findings")
    ax.set_title(f"The {len(worst)} articles with the most serious findings", pad=18)
    ax.tick_params(axis="y", labelsize=8)
    return fig


# ------------------------------------------------------------------------------ run history
#: Run labels a time axis shows at most; the others are ticks without labels.
MAX_RUN_LABELS = 12
NEW_COLOR, FIXED_COLOR = "#8250df", "#6aaa64"


def _run_axis(ax, started: pd.Series) -> np.ndarray:
    """Runs one step apart on x (runs come at irregular times), labelled by start time."""
    positions = np.arange(len(started))
    labels = pd.to_datetime(started, utc=True).dt.strftime("%m-%d %H:%M").tolist()
    step = max(1, -(-len(labels) // MAX_RUN_LABELS))
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    return positions


def findings_per_run_chart(by_audit: pd.DataFrame) -> Figure:
    """Findings per run: stacked by severity on the left, one line per audit on the right
    (``QUERIES["by_audit"]`` of ``review.history``: run_id, started, audit, severity,
    findings).

    >>> findings_per_run_chart(con.sql(history.QUERIES["by_audit"]).df())  # doctest: +SKIP
    """
    fig = Figure(figsize=(10.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    if by_audit.empty:
        _empty(left, "no run recorded")
        right.set_axis_off()
        return fig
    runs = by_audit.drop_duplicates("run_id")[["run_id", "started"]]
    cells = by_audit.pivot_table(index="run_id", columns="severity", values="findings",
                                 aggfunc="sum", fill_value=0)
    cells = cells.reindex(index=runs["run_id"], columns=list(SEVERITIES), fill_value=0)
    x = _run_axis(left, runs["started"])
    bottom = np.zeros(len(x))
    for severity in reversed(SEVERITIES):
        values = cells[severity].to_numpy(dtype="float64")
        left.bar(x, values, bottom=bottom, color=SEVERITY_COLORS[severity], label=severity)
        bottom += values
    left.set(ylabel="findings", title="Findings per run by severity")
    left.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(left, "y")
    per_audit = by_audit.pivot_table(index="run_id", columns="audit", values="findings",
                                     aggfunc="sum", fill_value=0).reindex(runs["run_id"])
    _run_axis(right, runs["started"])
    for audit_name in [a for a in AUDITS if a in per_audit.columns]:
        right.plot(x, per_audit[audit_name].fillna(0).to_numpy(), marker="o", label=audit_name)
    right.set(ylabel="findings", title="Findings per run by audit")
    right.set_ylim(bottom=0)
    right.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(right, "y")
    return fig


def run_trends_chart(runs: pd.DataFrame, styleguide=None) -> Figure:
    """Blockers, the share of articles that pass and the median reading grade per run
    (``QUERIES["runs"]`` of ``review.history``), the grade with the house target band.

    >>> run_trends_chart(con.sql(history.QUERIES["runs"]).df())  # doctest: +SKIP
    """
    fig = Figure(figsize=(10.0, 3.4), layout="constrained")
    axes = fig.subplots(1, 3)
    if runs.empty:
        for ax in axes:
            _empty(ax, "no run recorded")
        return fig
    low, high = tables.target_band(styleguide)
    series = [("blockers", "Blockers", SEVERITY_COLORS["blocker"], 1),
              ("pass_share", "Articles that pass (%)", BAND_COLOR, 100),
              ("median_grade", "Median reading grade", "#3b6b9a", 1)]
    for ax, (column, title, color, scale) in zip(axes, series, strict=True):
        x = _run_axis(ax, runs["started"])
        values = pd.to_numeric(runs[column], errors="coerce").to_numpy(dtype="float64")
        ax.plot(x, values * scale, marker="o", color=color)
        if column == "median_grade":
            ax.axhspan(low, high, color=BAND_COLOR, alpha=0.12, label="house target")
            ax.legend(frameon=False, fontsize=8)
        if column == "pass_share":
            ax.set_ylim(0, 100)
        elif column == "blockers":
            ax.set_ylim(bottom=0, top=max(1.0, np.nanmax(values, initial=0) * 1.15))
        ax.set_title(title)
        _tidy(ax, "y" if column == "blockers" else None)
    return fig


def new_fixed_chart(runs: pd.DataFrame) -> Figure:
    """Findings new in each run (up) against those fixed since the run before (down).

    >>> new_fixed_chart(con.sql(history.QUERIES["runs"]).df())  # doctest: +SKIP
    """
    fig, ax = _figure(7.5, 3.4)
    if runs.empty:
        _empty(ax, "no run recorded")
        return fig
    x = _run_axis(ax, runs["started"])
    new = pd.to_numeric(runs["new"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    fixed = pd.to_numeric(runs["fixed"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    ax.bar(x, new, color=NEW_COLOR, label="new")
    ax.bar(x, -fixed, color=FIXED_COLOR, label="fixed")
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set(ylabel="findings", title="New against fixed, per run")
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax, "y")
    return fig


__all__ = ["completeness_heatmap", "findings_by_rule_chart", "grade_histogram",
           "label_vs_risks_chart", "risk_by_category_chart", "risk_label_chart",
           "section_grade_chart", "section_status_chart", "word_count_histogram",
           "worst_articles_chart", "findings_per_run_chart", "new_fixed_chart",
           "run_trends_chart"]
