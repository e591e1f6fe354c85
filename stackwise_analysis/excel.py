"""Write findings.xlsx: a summary sheet, then one sheet of findings per audit.

Written with XlsxWriter in constant-memory mode: rows stream to disk as they are written,
several times faster than openpyxl and in flat memory, whatever the corpus size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import xlsxwriter

from .atomic import replacing
from .columns import python_values
from .constants import AUDITS, SEVERITIES
from .review.waivers import DECISIONS  # what the drop-down on ``decision`` offers
from .tables import severity_counts

#: Column widths stay within these bounds (in characters); long messages wrap instead.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: A sheet holds at most this many data rows (Excel's limit, less the header).
MAX_ROWS = 1_048_575
#: An audit's sheet keeps its worst findings up to this many rows; the rest (the mildest)
#: stay in findings.csv. A reviewer filters a sheet, nobody scrolls 600,000 rows; the
#: reports' searchable tables stop at the same count (``interactive.MAX_INTERACTIVE_ROWS``),
#: and XlsxWriter writes about 65,000 cells a second, so each 10,000 rows cost 2 s.
MAX_FINDING_ROWS = 20_000
#: Cells longer than this are cut (Excel refuses more than 32,767 characters).
MAX_CELL = 32_000
#: Excel keeps at most 65,530 hyperlinks per sheet; past that a cell holds plain text.
MAX_LINKS = 65_530
FINDING_COLUMNS = ["article_id", "section", "line", "check", "severity", "message", "evidence",
                   "status", "decision", "reason", "expires", "reviewer", "finding_id"]
#: Columns a reviewer fills in on an audit sheet (``stackwise-analysis waive --from`` reads
#: them); present on every audit sheet, empty except where a waiver applies.
DECISION_COLUMNS = ["decision", "reason", "expires"]
HEADER = {"bold": True, "bg_color": "#DDE5EE"}
SEVERITY_COLOURS = {"blocker": "#F4C7C3", "warning": "#FCE8B2"}
# Characters XML 1.0 (so an .xlsx file) cannot hold; removed from text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text is written as text: never a formula ("=cmd|..."), a number or a link by guesswork.
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "nan_inf_to_errors": True}


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book) -> None:
        self.header = book.add_format(HEADER)
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1})
        self.severity = {s: book.add_format({"bg_color": c}) for s, c in SEVERITY_COLOURS.items()}


def _kind(series: pd.Series) -> str:
    """How a column's cells are written: ``bool``, ``date``, ``number`` or ``text``."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "number"
    return "text"


def _values(series: pd.Series) -> list:
    """A column's values as Python objects, None for NA; text cleaned and cut to fit."""
    kind = _kind(series)
    if kind == "date":
        if series.dt.tz is not None:
            series = series.dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if kind == "text":
        series = series.astype("string").str.replace(_ILLEGAL, "", regex=True)
        series = series.str.slice(0, MAX_CELL)
    return python_values(series)


def _cell_writer(sheet, formats: _Formats, kind: str, *, severity: bool = False,
                 links: Mapping[str, str] | None = None, clickable: bool = False):
    """A function writing one cell of a column: the XlsxWriter method for its kind, the
    severity's fill, a link to the article's page or to a rule's web page."""
    if kind == "bool":
        return sheet.write_boolean
    if kind == "date":
        return lambda row, col, value: sheet.write_datetime(row, col, value, formats.date)
    if kind == "number":
        return sheet.write_number
    if severity:
        return lambda row, col, value: sheet.write_string(
            row, col, value, formats.severity.get(value))
    if links or clickable:
        count = [0]

        def write_link(row: int, col: int, value: str) -> None:
            target = links.get(value) if links else (
                value if value.startswith(("https://", "http://")) else None)
            if target is None or count[0] >= MAX_LINKS:
                sheet.write_string(row, col, value)
                return
            count[0] += 1
            url = target if clickable else f"external:{target}"
            sheet.write_url(row, col, url, formats.link, string=value)

        return write_link
    return sheet.write_string


def _write_table(sheet, frame: pd.DataFrame, formats: _Formats, *,
                 severity_column: str | None = None, links: Mapping[str, str] | None = None,
                 after: list[list] = ()) -> None:
    """Header row plus data, with filters, a frozen header and readable widths; ``after``
    rows (label, value) follow the table below a blank row. ``links`` maps an
    ``article_id`` to its review page (relative path): that cell becomes a link to it."""
    columns = [str(c) for c in frame.columns]
    rows = frame.head(MAX_ROWS)
    widths, wrap = _fit_widths(frame)
    if after:
        labels = min(MAX_WIDTH, max(len(str(label)) + 2 for label, _ in after))
        widths[0] = max(widths[0] if widths else MIN_WIDTH, labels)
    for at, width in enumerate(widths):
        sheet.set_column(at, at, width, formats.wrap if at in wrap else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), max(0, len(columns) - 1))
    for at, name in enumerate(columns):
        sheet.write_string(0, at, name, formats.header)
    cells = [_cell_writer(sheet, formats, kind, severity=name == severity_column,
                          links=links if name == "article_id" else None,
                          clickable=name == "link")
             for name, kind in zip(columns, (_kind(rows[c]) for c in rows.columns),
                                   strict=True)]
    data = [_values(rows[c]) for c in rows.columns]
    # constant-memory mode: every row is written whole before the next one starts
    for number, row in enumerate(zip(*data, strict=True), start=1):
        for at, value in enumerate(row):
            if value is not None:
                cells[at](number, at, value)
    if after:
        row = len(rows) + 2
        for label, value in after:
            sheet.write_string(row, 0, str(label), formats.header)
            value = _fact(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(row, 1, value)
            elif value is not None:
                sheet.write_string(row, 1, _ILLEGAL.sub("", str(value))[:MAX_CELL])
            row += 1


def _fit_widths(frame: pd.DataFrame) -> tuple[list[float], set[int]]:
    """Width per column from the header and the longest of the first rows, within
    MIN/MAX_WIDTH; the positions of columns whose text is longer, which wrap instead."""
    sample = frame.head(2000)
    widths, wrap = [], set()
    for number, column in enumerate(frame.columns):
        lengths = sample[column].astype("string").str.len()
        longest = int(lengths.max()) if lengths.notna().any() else 0
        # room for the filter button beside the header text
        width = max(len(str(column)) + 4, longest + 2)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, width)))
        if longest > MAX_WIDTH:
            wrap.add(number)
    return widths, wrap


def summary_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per audit and severity with totals, as the summary sheet shows them."""
    counts = severity_counts(findings)
    counts["total"] = counts.sum(axis=1)
    counts.loc["all audits"] = counts.sum(axis=0)
    return counts.rename_axis("audit").reset_index()


def write_findings_xlsx(path: str | Path, findings: pd.DataFrame, *,
                        articles: pd.DataFrame | None = None,
                        info: Mapping[str, object] | None = None,
                        max_rows: int = MAX_FINDING_ROWS,
                        rules: pd.DataFrame | None = None,
                        pages: Mapping[str, str] | None = None) -> Path:
    """Write the findings workbook a compliance reviewer filters and sorts.

    Sheets: ``Summary`` (run facts from ``info``, findings per audit and severity), one
    sheet per audit (``risk``, ``completeness``, ``readability``, ``compliance``) with that
    audit's findings worst first, ``Articles`` when ``articles`` is given and ``Rules`` when
    ``rules`` is (``Styleguide.rule_table()``: each rule's level, description and link; the
    audit sheets then say in a ``why`` column why each finding's rule exists). Every sheet
    has filters on its header, a frozen header row and column widths fitted to the text.
    The file is written to a temporary name and renamed, so it is never half-written.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    findings : DataFrame
        The audit's findings (the findings contract).
    articles : DataFrame, optional
        One row per article (e.g. the scorecard) for an ``Articles`` sheet.
    info : mapping, optional
        Facts about the run (run id, corpus, package version...) listed on the summary.
    max_rows : int
        Findings per audit sheet, worst first; the summary says when a sheet is cut.
    rules : DataFrame, optional
        The style guide's rules (``id``, ``audit``, ``level``, ``description``, ``link``).
    pages : mapping, optional
        article_id -> its review page, relative to the workbook's folder; the article's
        ``article_id`` cells link there.

    Examples
    --------
    >>> write_findings_xlsx("findings.xlsx", result.findings, articles=result.scorecard,
    ...                     rules=styleguide.rule_table())
    PosixPath('findings.xlsx')
    """
    path = Path(path)
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    parts, facts = {}, dict(info or {})
    for audit_name in AUDITS:
        part = findings[findings["audit"] == audit_name]
        # sort the keys alone and take only the rows the sheet keeps: moving every column
        # of a million findings to sort them costs more than writing the sheet
        keys = pd.DataFrame({"_rank": part["severity"].astype("string").map(order).to_numpy(),
                             "article_id": part["article_id"].to_numpy(),
                             "line": part["line"].to_numpy()})
        keep = keys.sort_values(["_rank", "article_id", "line"], na_position="last",
                                kind="stable").index[:max_rows]
        parts[audit_name] = part.iloc[keep]
        if len(part) > max_rows:
            facts[f"{audit_name} sheet"] = (f"the worst {max_rows:,} of {len(part):,} findings; "
                                            "all are in findings.csv")
    if articles is not None and len(articles) > max_rows:
        if "status" in articles.columns:  # fail before warn before pass
            articles = articles.sort_values("status", ascending=False, kind="stable")
        facts["Articles sheet"] = (f"{max_rows:,} of {len(articles):,} articles, failing "
                                   "ones first; all are in articles.csv")
    with replacing(path) as tmp:
        _write_book(tmp, findings, parts, facts, articles, rules, pages, max_rows)
    return path


def _write_book(tmp: Path, findings, parts, facts, articles, rules, pages, max_rows) -> None:
    """The workbook's sheets, in order, into ``tmp``."""
    book = xlsxwriter.Workbook(str(tmp), _OPTIONS)
    formats = _Formats(book)
    _write_table(book.add_worksheet("Summary"), summary_frame(findings), formats,
                 after=list(facts.items()))
    why = None if rules is None else rules.set_index("id")["description"]
    for audit_name, part in parts.items():
        part = part.assign(**{c: pd.Series(pd.NA, index=part.index, dtype="string")
                              for c in DECISION_COLUMNS if c not in part.columns})
        columns = [c for c in FINDING_COLUMNS if c in part.columns]
        labels = {c: "string" for c in ("severity", "status") if c in columns}
        rows = part[columns].astype(labels)
        if why is not None:
            rows = rows.assign(why=rows["check"].astype("string").map(why))
        sheet = book.add_worksheet(audit_name)
        _write_table(sheet, rows, formats, severity_column="severity", links=pages)
        _decision_list(sheet, list(rows.columns), len(rows))
    if articles is not None:
        _write_table(book.add_worksheet("Articles"), articles.head(max_rows), formats,
                     links=pages)
    if rules is not None:
        _write_table(book.add_worksheet("Rules"), rules, formats,
                     severity_column="level")
    book.close()


def _decision_list(sheet, columns: list[str], rows: int) -> None:
    """A drop-down of the decisions on the ``decision`` column, over the data rows."""
    if "decision" not in columns:
        return
    column = columns.index("decision")
    sheet.data_validation(1, column, max(rows, 1), column, {
        "validate": "list", "source": list(DECISIONS), "ignore_blank": True,
        "error_title": "decision",
        "error_message": "Choose one of " + ", ".join(DECISIONS) + ", or leave it empty."})


def _fact(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    return value


__all__ = ["summary_frame", "write_findings_xlsx"]
