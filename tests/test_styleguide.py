"""The style guide: defaults load, user files override, every problem in a file is named."""

from __future__ import annotations

import re

import pytest

from stackwise_analysis import load_styleguide
from stackwise_analysis.constants import AUDITS, SECTION_KEYS, SEVERITIES
from stackwise_analysis.exceptions import StyleguideError
from stackwise_analysis.styleguide import RULE_SETTINGS, as_styleguide


def test_defaults_cover_every_section_and_every_implemented_rule():
    sg = load_styleguide()
    assert [s["key"] for s in sg.sections] == list(SECTION_KEYS)
    assert sg.readability["target_grade"] == 8
    assert list(sg.rules) == list(RULE_SETTINGS)
    for check, rule in sg.rules.items():
        assert check.split(".")[0] == rule["audit"] and rule["audit"] in AUDITS
        assert rule["level"] in SEVERITIES and len(rule["message"]) > 20
        # one line saying why, not a paragraph
        assert 20 < len(rule["description"]) < 130 and "\n" not in rule["description"]
        assert set(RULE_SETTINGS[check]) <= set(rule), check
    severities = {s["key"]: s["missing"] for s in sg.sections}
    assert severities["health_risks"] == severities["watch_out"] == "blocker"


def test_each_rule_carries_its_own_lists_and_thresholds():
    sg = load_styleguide()
    assert "hospitalization" in sg.rule("risk.understated")["terms"]
    assert "not" in sg.rule("risk.understated")["negations"]
    assert "guaranteed" in sg.rule("compliance.absolute_claim")["terms"]
    assert "cure" in sg.rule("compliance.disease_claim")["effect_verbs"]
    assert "may" in sg.rule("compliance.hedged_claim")["hedges"]
    assert "is marketed as" not in sg["claims"]["negations"]
    assert "marketed as" in sg["claims"]["reported"]
    assert sg.rule("compliance.no_uncertainty")["levels"] == ["Moderate", "High"]
    assert sg.rule("compliance.stale_content")["months"] == 24
    assert sg.rule("risk.too_few_risks")["min_risks"] == {"Low": 1, "Moderate": 3, "High": 4}
    assert sg.rule("readability.hard_to_read")["above_grade"] == 10
    assert sg.rule("compliance.absolute_claim")["link"].startswith("https://")
    with pytest.raises(KeyError, match="no rule 'risk.nope'"):
        sg.rule("risk.nope")


def test_user_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("readability:\n  target_grade: 6\n"
                    "rules:\n  readability.hard_to_read:\n    level: blocker\n"
                    "  compliance.stale_content:\n    months: 12\n")
    sg = load_styleguide(path)
    assert sg.readability["target_grade"] == 6
    assert sg.readability["grade_metric"] == "flesch_kincaid_grade"
    assert sg.rule("readability.hard_to_read")["level"] == "blocker"
    assert sg.rule("readability.hard_to_read")["above_grade"] == 10
    assert "grade" in sg.rule("readability.hard_to_read")["message"]
    stale = sg.rule("compliance.stale_content")
    assert (stale["months"], stale["level"]) == (12, "warning")
    assert sg.sha256 != load_styleguide().sha256


@pytest.mark.parametrize("text, key, problem", [
    ("readability:\n  target_grde: 6\n", "readability", "unknown key 'target_grde'"),
    ("rules:\n  risk.missing_label:\n    level: critical\n", "rules.risk.missing_label.level",
     "'critical' is not allowed"),
    ("rules:\n  readability.long_sentence:\n    max_words: many\n",
     "rules.readability.long_sentence.max_words", "expected a whole number"),
    ("rules:\n  risk.understated:\n    terms: stroke\n", "rules.risk.understated.terms",
     "expected a list"),
    ("rules:\n  risk.understated:\n    phrases: [stroke]\n", "rules.risk.understated",
     "unknown key 'phrases'"),
    ("rules:\n  risk.understated:\n    audit: compliance\n", "rules.risk.understated.audit",
     "'compliance' is not allowed; expected one of risk"),
    ("template:\n  sections:\n    - key: how_it_works\n", "template.sections[0]",
     "missing key(s)"),
    ("rules:\n  risk.too_few_risks:\n    min_risks:\n      Severe: 3\n",
     "rules.risk.too_few_risks.min_risks", "unknown key 'Severe'"),
    ("rules:\n  compliance.new_rule:\n    level: info\n", "rules.compliance.new_rule",
     "unknown rule: no audit implements it"),
    ("readability:\n  max_sentence_words: 20\n", "readability",
     "it moved to rules.readability.long_sentence.max_words"),
    ("compliance:\n  stale_after_months: 6\n", "(top level)",
     "unknown key 'compliance'; its lists and thresholds moved"),
    ("- just\n- a list\n", "(top level)", "expected a mapping"),
    ("readability: [unclosed\n", "line 2", "not valid YAML"),
])
def test_malformed_styleguide_names_file_and_key(tmp_path, text, key, problem):
    path = tmp_path / "bad.yml"
    path.write_text(text)
    with pytest.raises(StyleguideError) as info:
        load_styleguide(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert f"{key}: " in message and problem in message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    """A misspelled rule id and two bad values: one error naming all three."""
    path = tmp_path / "mine.yml"
    path.write_text(
        "rules:\n"
        "  compliance.absolute_claims:\n"      # misspelled: the rule is absolute_claim
        "    level: warning\n"
        "  compliance.stale_content:\n"
        "    months: two years\n"              # not a whole number
        "  readability.hard_to_read:\n"
        "    level: severe\n")                 # not a level
    with pytest.raises(StyleguideError) as info:
        load_styleguide(path)
    error = info.value
    assert [key for key, _ in error.problems] == [
        "rules.compliance.absolute_claims", "rules.compliance.stale_content.months",
        "rules.readability.hard_to_read.level"]
    lines = str(error).splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert re.search(r"absolute_claims: unknown rule.*did you mean compliance\.absolute_claim",
                     lines[1])
    assert "expected a whole number, got str 'two years'" in lines[2]
    assert "'severe' is not allowed" in lines[3]
    assert all(line.strip().startswith(f"{path}: rules.") for line in lines[1:])


def test_a_broken_rule_record_reports_each_key(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("rules:\n  compliance.no_uncertainty:\n    levels: [Moderate, Severe]\n"
                    "    phrases: uncertain\n    colour: red\n")
    with pytest.raises(StyleguideError) as info:
        load_styleguide(path)
    keys = [key for key, _ in info.value.problems]
    assert keys == ["rules.compliance.no_uncertainty.levels[1]",
                    "rules.compliance.no_uncertainty.phrases", "rules.compliance.no_uncertainty"]
    assert "unknown key 'colour'" in str(info.value)


def test_override_and_mappings_are_checked_like_files():
    sg = load_styleguide()
    with pytest.raises(StyleguideError, match="<override>: rules.risk.understated.terms"):
        sg.override({"rules": {"risk.understated": {"terms": "stroke"}}})
    broken = dict(sg.data, rules={k: v for k, v in sg.rules.items() if k != "risk.understated"})
    with pytest.raises(StyleguideError, match="missing rule.*risk.understated"):
        as_styleguide(broken)
    assert as_styleguide(dict(sg.data)).sha256 == sg.sha256


def test_rule_table_lists_every_rule_with_its_description():
    table = load_styleguide().rule_table()
    assert table["id"].tolist() == list(RULE_SETTINGS)
    assert table["description"].notna().all() and table["level"].isin(SEVERITIES).all()
    assert table.set_index("id").loc["compliance.absolute_claim", "link"].startswith("https")


def test_missing_styleguide_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.yml"):
        load_styleguide(tmp_path / "nope.yml")


def test_heading_and_label_lookup():
    sg = load_styleguide()
    assert sg.section_for_heading("  WHAT TO WATCH OUT FOR ") == "watch_out"
    assert sg.section_for_heading("The Research Corner") is None
    assert sg.label_index["moderate risk"] == "Moderate"
