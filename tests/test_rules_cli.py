"""``stackwise-analysis rules``: every rule the audits can emit, and no other."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import REPO, SAMPLE_ARTICLES, SAMPLE_CATALOG
from stackwise_analysis import audit, load_corpus
from stackwise_analysis.cli import main
from stackwise_analysis.constants import AUDITS
from stackwise_analysis.styleguide import RULE_SETTINGS

#: A quoted rule id in the audits' code: what finding_rows can be asked to emit.
RULE_ID = re.compile(r"[\"']((?:" + "|".join(AUDITS) + r")\.[a-z_]+)[\"']")


def _rules_json(capsys, *args) -> list[dict]:
    assert main(["rules", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _ids_in_audit_code() -> set[str]:
    return {match for folder in ("audits", "review")
            for path in (REPO / "stackwise_analysis" / folder).glob("*.py")
            for match in RULE_ID.findall(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def emitted() -> set[str]:
    corpus = load_corpus(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG)
    return set(audit(corpus, as_of=dt.date(2026, 11, 24)).findings["check"])


def test_rules_lists_what_the_audits_can_emit_and_nothing_else(capsys, emitted):
    listed = [rule["id"] for rule in _rules_json(capsys)]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(RULE_SETTINGS)       # the registry
    assert set(listed) == _ids_in_audit_code()     # every id the code names, no dead entry
    assert emitted <= set(listed)                  # everything an audit really emitted
    assert len(emitted) >= 20                      # (the sample exercises nearly every rule)


def test_json_is_a_list_of_records_with_audit_level_description_link(capsys):
    rules = _rules_json(capsys)
    assert all(list(rule) == ["id", "audit", "level", "description", "link"] for rule in rules)
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["risk.understated"]["audit"] == "risk"
    assert by_id["compliance.absolute_claim"]["level"] == "blocker"
    assert by_id["compliance.absolute_claim"]["link"].startswith("https://")
    assert by_id["risk.missing_label"]["link"] is None
    assert all(rule["description"] for rule in rules)


def test_table_has_one_line_per_rule_with_audit_level_and_description(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "audit", "level", "description"]
    rows = lines[1:1 + len(RULE_SETTINGS)]
    assert [line.split()[0] for line in rows] == list(RULE_SETTINGS)
    stale = next(line for line in rows if line.startswith("compliance.stale_content "))
    assert stale.split()[1:3] == ["compliance", "warning"]
    assert "reviewed for a long time" in stale
    assert "compliance.absolute_claim: https://" in "\n".join(lines)


def test_styleguide_is_honoured(tmp_path, capsys):
    mine = tmp_path / "mine.yml"
    mine.write_text("rules:\n  compliance.stale_content:\n    level: blocker\n"
                    "    description: Reviewed yearly, by order of the board.\n")
    by_id = {rule["id"]: rule for rule in _rules_json(capsys, "--styleguide", str(mine))}
    assert by_id["compliance.stale_content"]["level"] == "blocker"
    assert by_id["compliance.stale_content"]["description"] == (
        "Reviewed yearly, by order of the board.")
    assert by_id["compliance.no_sources"]["level"] == "warning"


def test_a_broken_styleguide_exits_2_naming_every_problem(tmp_path, capsys):
    mine = tmp_path / "mine.yml"
    mine.write_text("rules:\n  risk.understate:\n    level: info\n"
                    "  risk.understated:\n    negation_window: four\n")
    assert main(["rules", "--styleguide", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "2 problems" in err and "rules.risk.understate: unknown rule" in err
    assert "rules.risk.understated.negation_window: expected a whole number" in err
