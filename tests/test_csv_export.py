"""CSV exports never hand a spreadsheet a live formula; XLSX keeps the text as written."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from corpus_factory import render, spec

from stackwise_analysis import report
from stackwise_analysis.cli import main
from stackwise_analysis.csv_export import FORMULA_START, neutralise_formulas
from stackwise_analysis.notebook_run import NotebookOutcome

TITLE = "=cmd|' /C calc'!A0"
CLAIM = "@Stackwise: this tea is guaranteed to cure stiff joints."


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    hostile = spec(article_id="hostile", title=TITLE,
                   intro=CLAIM + " Talk to your doctor before you start.")
    plain = spec(article_id="plain", title="-5 kg in a week? What crash diets cost you")
    for s in (hostile, plain):
        (folder / f"{s.article_id}.txt").write_text(render(s), encoding="utf-8")
    return folder


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _no_live_formula(cells: list[str]) -> None:
    assert not [c for c in cells if c.startswith(FORMULA_START)]


def test_report_csv_files_neutralise_and_xlsx_keeps_text(corpus, tmp_path, monkeypatch):
    def no_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        return [NotebookOutcome(name="n", title="n", ipynb="notebooks/n.ipynb", html="n.html")]

    monkeypatch.setattr(report, "_run_notebooks", no_notebooks)
    run = report.run(corpus, out=tmp_path / "r", fail_on="never", quiet=True,
                     notebooks=["01_corpus_overview"])
    articles = _cells((run.run_dir / "articles.csv").read_text(encoding="utf-8"))
    findings = _cells((run.run_dir / "findings.csv").read_text(encoding="utf-8"))
    _no_live_formula(articles)
    _no_live_formula(findings)
    assert "'" + TITLE in articles
    assert "'-5 kg in a week? What crash diets cost you" in articles
    assert "'" + CLAIM in findings  # the evidence of compliance.absolute_claim
    # numbers stay numbers: every line column cell is empty or digits
    frame = pd.read_csv(run.run_dir / "findings.csv")
    assert pd.api.types.is_numeric_dtype(frame["line"])
    workbook = openpyxl.load_workbook(run.run_dir / "findings.xlsx", read_only=True)
    texts = {cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)}
    assert CLAIM in texts


def test_cli_csv_output_neutralises_too(corpus, capsys):
    assert main(["audit", str(corpus), "--format", "csv", "--fail-on", "never", "--quiet",
                 "--jobs", "1"]) == 0
    cells = _cells(capsys.readouterr().out)
    _no_live_formula(cells)
    assert "'" + CLAIM in cells


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\r=1"])
def test_each_formula_start_is_neutralised(cell):
    frame = pd.DataFrame({"evidence": pd.array([cell, "fine"], dtype="string"),
                          "line": [-3, 4]})
    safe = neutralise_formulas(frame)
    assert safe["evidence"].tolist() == ["'" + cell, "fine"]
    assert safe["line"].tolist() == [-3, 4]
    assert frame["evidence"].tolist() == [cell, "fine"]  # the caller's frame is untouched
