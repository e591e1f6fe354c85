"""findings.xlsx: a summary sheet and a sheet per audit, filtered, frozen and readable."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from fake_audit import fake_audit

from stackwise_analysis.audits.findings import make_findings
from stackwise_analysis.constants import AUDITS, SEVERITIES
from stackwise_analysis.excel import MAX_WIDTH, MIN_WIDTH, write_findings_xlsx
from stackwise_analysis.tables import article_table


@pytest.fixture
def workbook(tmp_path):
    corpus, result = fake_audit()
    path = write_findings_xlsx(tmp_path / "findings.xlsx", result.findings,
                               articles=article_table(corpus, result.scorecard),
                               info={"run id": "r1", "corpus": "data/articles"})
    return result, openpyxl.load_workbook(path), path


def test_sheets_are_summary_then_one_per_audit_then_articles(workbook):
    _, book, _ = workbook
    assert book.sheetnames == ["Summary", *AUDITS, "Articles"]


@pytest.mark.parametrize("sheet", ["Summary", *AUDITS, "Articles"])
def test_every_sheet_has_filters_a_frozen_header_and_sane_widths(workbook, sheet):
    _, book, _ = workbook
    ws = book[sheet]
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1] if cell.value is not None)
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1] if c.value]
    assert widths and all(MIN_WIDTH <= w <= MAX_WIDTH for w in widths)


@pytest.mark.parametrize("audit_name", AUDITS)
def test_each_audit_sheet_holds_exactly_that_audits_findings(workbook, audit_name):
    result, book, path = workbook
    sheet = pd.read_excel(path, sheet_name=audit_name)
    expected = result.findings[result.findings["audit"] == audit_name]
    assert len(sheet) == len(expected)
    assert sorted(sheet["check"]) == sorted(expected["check"])
    last_row = book[audit_name].auto_filter.ref.split(":")[1]
    assert last_row.endswith(str(len(expected) + 1))


def test_findings_in_a_sheet_come_worst_first(workbook):
    _, _, path = workbook
    sheet = pd.read_excel(path, sheet_name="risk")
    rank = sheet["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    assert rank.is_monotonic_decreasing


def test_summary_counts_match_the_findings(workbook):
    result, _, path = workbook
    summary = pd.read_excel(path, sheet_name="Summary", nrows=len(AUDITS) + 1)
    total = summary.set_index("audit").loc["all audits"]
    counts = result.findings["severity"].value_counts()
    for severity in SEVERITIES:
        assert total[severity] == counts.get(severity, 0)
    assert total["total"] == len(result.findings)


def test_formula_looking_text_stays_text(workbook):
    _, book, _ = workbook
    cells = [c for row in book["risk"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells, "the fake findings carry one formula-looking evidence"
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_and_na_do_not_break_the_file(tmp_path):
    findings = make_findings([{"article_id": "a\x01b", "audit": "compliance",
                               "check": "compliance.no_sources", "severity": "warning",
                               "message": "bad\x0bchar", "evidence": None}])
    path = write_findings_xlsx(tmp_path / "f.xlsx", findings)
    sheet = pd.read_excel(path, sheet_name="compliance")
    assert sheet.loc[0, "article_id"] == "ab"
    assert sheet.loc[0, "message"] == "badchar"
    assert pd.isna(sheet.loc[0, "evidence"])
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_empty_findings_table_still_gives_every_sheet(tmp_path):
    path = write_findings_xlsx(tmp_path / "f.xlsx", make_findings([]))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", *AUDITS]
    assert book["readability"].max_row == 1


def test_a_long_audit_sheet_keeps_its_worst_rows_and_says_so(tmp_path):
    rows = ([{"article_id": f"a{i}", "audit": "readability", "check": "readability.x",
              "severity": "info", "message": "m"} for i in range(8)]
            + [{"article_id": "z", "audit": "readability", "check": "readability.y",
                "severity": "warning", "message": "worse"}])
    path = write_findings_xlsx(tmp_path / "f.xlsx", make_findings(rows), max_rows=5)
    book = openpyxl.load_workbook(path)
    sheet = book["readability"]
    assert sheet.max_row == 1 + 5
    assert sheet.cell(row=2, column=1).value == "z"  # the warning survives the cut
    summary = [[c.value for c in r] for r in book["Summary"].iter_rows()]
    assert ["readability sheet", "the worst 5 of 9 findings; all are in findings.csv"] in [
        r[:2] for r in summary]


def test_rules_sheet_and_why_column_say_why_each_rule_exists(tmp_path):
    corpus, result = fake_audit()
    rules = result.styleguide.rule_table()
    path = write_findings_xlsx(tmp_path / "f.xlsx", result.findings, rules=rules)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", *AUDITS, "Rules"]
    sheet = pd.read_excel(path, sheet_name="Rules")
    assert sheet["id"].tolist() == rules["id"].tolist()
    assert list(sheet.columns) == ["id", "audit", "level", "description", "link"]
    claim = next(row for row in book["Rules"].iter_rows(min_row=2)
                 if row[0].value == "compliance.absolute_claim")
    assert claim[4].hyperlink.target == claim[4].value
    completeness = pd.read_excel(path, sheet_name="completeness")
    description = rules.set_index("id")["description"]
    assert completeness["why"].tolist() == completeness["check"].map(description).tolist()
    assert completeness["why"].notna().all()
