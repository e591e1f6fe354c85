"""Write findings.xlsx: a summary sheet, then one sheet of findings per audit."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .constants import AUDITS, SEVERITIES
from .tables import severity_counts

#: Column widths stay within these bounds (in characters); long messages wrap instead.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: A sheet holds at most this many data rows (Excel's limit, less the header).
MAX_ROWS = 1_048_575
#: An audit's sheet keeps its worst findings up to this many rows; the rest (the mildest)
#: stay in findings.csv. A reviewer filters a sheet, nobody scrolls 600,000 rows, and
#: openpyxl writes about 20,000 rows a second.
MAX_FINDING_ROWS = 50_000
#: Cells longer than this are cut (Excel refuses more than 32,767 characters).
MAX_CELL = 32_000
FINDING_COLUMNS = ["article_id", "section", "line", "check", "severity", "message", "evidence",
                   "status", "decision", "reason", "expires", "reviewer", "finding_id"]
#: Columns a reviewer fills in on an audit sheet (``stackwise-analysis waive --from`` reads
#: them); present on every audit sheet, empty except where a waiver applies.
DECISION_COLUMNS = ["decision", "reason", "expires"]
#: What the drop-down on ``decision`` offers (review.waivers.DECISIONS).
DECISIONS = ("accepted_risk", "false_positive", "wont_fix")
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
HEADER_BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
SEVERITY_FILLS = {"blocker": PatternFill("solid", fgColor="F4C7C3"),
                  "warning": PatternFill("solid", fgColor="FCE8B2")}


def _cell_value(value):
    """A value openpyxl stores as-is: NA to empty, text cleaned of control characters."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        return text[:MAX_CELL]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _header(sheet, columns: list[str]) -> None:
    cells = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = HEADER_BOLD, HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _write_table(sheet, frame: pd.DataFrame, *, severity_column: str | None = None,
                 after: list[list] = ()) -> None:
    """Header row plus data, with filters, a frozen header and readable widths; ``after``
    rows (label, value) follow the table below a blank row.

    The workbook is write-only (rows stream to disk): an order of magnitude faster than
    openpyxl's editable cells, which matters at a few hundred thousand rows.
    """
    columns = [str(c) for c in frame.columns]
    wrap = _fit_widths(sheet, frame)
    if after:  # widths are fixed before the first row in a write-only sheet
        labels = min(MAX_WIDTH, max(len(str(label)) + 2 for label, _ in after))
        first = sheet.column_dimensions["A"]
        first.width = max(first.width or MIN_WIDTH, labels)
    sheet.freeze_panes = "A2"
    last_col = get_column_letter(max(1, len(columns)))
    rows = frame.head(MAX_ROWS)
    sheet.auto_filter.ref = f"A1:{last_col}{len(rows) + 1}"
    _header(sheet, columns)
    severity_at = columns.index(severity_column) if severity_column in columns else None
    link_at = columns.index("link") if "link" in columns else None  # a rule's link: clickable
    special = set(wrap) | {at for at in (severity_at, link_at) if at is not None}
    for row in rows.itertuples(index=False, name=None):
        values = [_cell_value(v) for v in row]
        for at, value in enumerate(values):
            # text that looks like a formula stays text: article prose is data, never code
            formula_like = isinstance(value, str) and value.startswith("=")
            if at not in special and not formula_like:
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if formula_like:
                cell.data_type = "s"
            if at in wrap:
                cell.alignment = WRAP
            if at == severity_at and value in SEVERITY_FILLS:
                cell.fill = SEVERITY_FILLS[value]
            if at == link_at and isinstance(value, str) and value.startswith("http"):
                cell.hyperlink = value
            values[at] = cell
        sheet.append(values)
    if after:
        sheet.append([])
        for label, value in after:
            cell = WriteOnlyCell(sheet, value=str(label))
            cell.font = HEADER_BOLD
            sheet.append([cell, _cell_value(_fact(value))])


def _fit_widths(sheet, frame: pd.DataFrame) -> set[int]:
    """Width from the header and the longest of the first rows, within MIN/MAX_WIDTH; the
    positions of columns whose text is longer, which wrap instead."""
    sample = frame.head(2000)
    wrap = set()
    for number, column in enumerate(frame.columns, start=1):
        lengths = sample[column].astype("string").str.len()
        longest = int(lengths.max()) if lengths.notna().any() else 0
        # room for the filter button beside the header text
        width = max(len(str(column)) + 4, longest + 2)
        sheet.column_dimensions[get_column_letter(number)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width))
        if longest > MAX_WIDTH:
            wrap.add(number - 1)
    return wrap


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
                        rules: pd.DataFrame | None = None) -> Path:
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
        part = part.assign(_rank=part["severity"].astype("string").map(order))
        parts[audit_name] = part.sort_values(["_rank", "article_id", "line"],
                                             na_position="last", kind="stable")
        if len(part) > max_rows:
            facts[f"{audit_name} sheet"] = (f"the worst {max_rows:,} of {len(part):,} findings; "
                                            "all are in findings.csv")
    if articles is not None and len(articles) > max_rows:
        if "status" in articles.columns:  # fail before warn before pass
            articles = articles.sort_values("status", ascending=False, kind="stable")
        facts["Articles sheet"] = (f"{max_rows:,} of {len(articles):,} articles, failing "
                                   "ones first; all are in articles.csv")
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    _write_table(summary, summary_frame(findings), after=list(facts.items()))

    why = None if rules is None else rules.set_index("id")["description"]
    for audit_name, part in parts.items():
        part = part.assign(**{c: pd.Series(pd.NA, index=part.index, dtype="string")
                              for c in DECISION_COLUMNS if c not in part.columns})
        columns = [c for c in FINDING_COLUMNS if c in part.columns]
        labels = {c: "string" for c in ("severity", "status") if c in columns}
        rows = part[columns].head(max_rows).astype(labels)
        if why is not None:
            rows = rows.assign(why=rows["check"].astype("string").map(why))
        sheet = book.create_sheet(audit_name)
        _decision_list(sheet, list(rows.columns), len(rows))
        _write_table(sheet, rows, severity_column="severity")
    if articles is not None:
        _write_table(book.create_sheet("Articles"), articles.head(max_rows),
                     severity_column=None)
    if rules is not None:
        _write_table(book.create_sheet("Rules"), rules, severity_column="level")

    tmp = path.with_name(f".{path.name}.tmp")
    book.save(tmp)
    os.replace(tmp, path)
    return path


def _decision_list(sheet, columns: list[str], rows: int) -> None:
    """A drop-down of the decisions on the ``decision`` column, over the data rows."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if "decision" not in columns:
        return
    last = max(rows, 1) + 1
    letter = get_column_letter(columns.index("decision") + 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"',
                             allow_blank=True, showErrorMessage=True,
                             errorTitle="decision", error="Choose one of "
                             + ", ".join(DECISIONS) + ", or leave it empty.")
    choices.add(f"{letter}2:{letter}{last}")
    sheet.data_validations.append(choices)


def _fact(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    return value


__all__ = ["summary_frame", "write_findings_xlsx"]
