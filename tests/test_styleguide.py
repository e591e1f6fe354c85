"""The style guide: defaults load, user files override, malformed files are rejected clearly."""

from __future__ import annotations

import pytest

from stackwise_analysis import load_styleguide
from stackwise_analysis.constants import AUDITS, SECTION_KEYS, SEVERITIES
from stackwise_analysis.exceptions import StyleguideError


def test_defaults_cover_every_section_and_rule_has_level_and_message():
    sg = load_styleguide()
    assert [s["key"] for s in sg.sections] == list(SECTION_KEYS)
    assert sg.readability["target_grade"] == 8
    assert sg.compliance["stale_after_months"] == 24
    for check, rule in sg.rules.items():
        assert check.split(".")[0] == rule["audit"] and rule["audit"] in AUDITS
        assert rule["level"] in SEVERITIES and len(rule["message"]) > 20
    severities = {s["key"]: s["missing"] for s in sg.sections}
    assert severities["health_risks"] == severities["watch_out"] == "blocker"


def test_user_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("readability:\n  target_grade: 6\n"
                    "rules:\n  readability.hard_to_read:\n    level: blocker\n")
    sg = load_styleguide(path)
    assert sg.readability["target_grade"] == 6
    assert sg.readability["max_sentence_words"] == 25
    assert sg.rule("readability.hard_to_read")["level"] == "blocker"
    assert "grade" in sg.rule("readability.hard_to_read")["message"]
    assert sg.sha256 != load_styleguide().sha256


@pytest.mark.parametrize("text, key, problem", [
    ("readability:\n  target_grde: 6\n", "readability", "unknown key 'target_grde'"),
    ("rules:\n  risk.missing_label:\n    level: critical\n", "rules.risk.missing_label.level",
     "'critical' is not allowed"),
    ("readability:\n  max_sentence_words: many\n", "readability.max_sentence_words",
     "expected a whole number"),
    ("template:\n  sections:\n    - key: how_it_works\n", "template.sections[0]",
     "missing key(s)"),
    ("risk:\n  min_listed_risks:\n    Severe: 3\n", "risk.min_listed_risks",
     "unknown key 'Severe'"),
    ("rules:\n  compliance.new_rule:\n    level: info\n", "rules.compliance.new_rule",
     "missing key(s): audit, message"),
    ("- just\n- a list\n", "(top level)", "expected a mapping"),
    ("readability: [unclosed\n", "line", "not valid YAML"),
])
def test_malformed_styleguide_names_file_and_key(tmp_path, text, key, problem):
    path = tmp_path / "bad.yml"
    path.write_text(text)
    with pytest.raises(StyleguideError) as info:
        load_styleguide(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert key in message and problem in message


def test_missing_styleguide_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.yml"):
        load_styleguide(tmp_path / "nope.yml")


def test_heading_and_label_lookup():
    sg = load_styleguide()
    assert sg.section_for_heading("  WHAT TO WATCH OUT FOR ") == "watch_out"
    assert sg.section_for_heading("The Research Corner") is None
    assert sg.label_index["moderate risk"] == "Moderate"
