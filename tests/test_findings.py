"""Finding rows: messages filled from the rule's template, agreeing in number."""

from __future__ import annotations

import pandas as pd
import pytest

from stackwise_analysis.audits.findings import finding_rows, format_message, plural
from stackwise_analysis.styleguide import load_styleguide


@pytest.mark.parametrize("count, spec, word", [
    (1, "sentence", "sentence"), (0, "sentence", "sentences"), (2, "sentence", "sentences"),
    (1, "health risk", "health risk"), (3, "health risk", "health risks"),
    (1, "is/are", "is"), (5, "is/are", "are"), (2, "analysis/analyses", "analyses"),
    (1.0, "month", "month"),
])
def test_plural_picks_the_word_that_agrees(count, spec, word):
    assert plural(count, spec) == word


def _messages(template: str, **fields) -> list[str]:
    guide = load_styleguide().override(
        {"rules": {"readability.long_sentence": {"message": template}}})
    ids = pd.Series([f"a{i}" for i in range(len(next(iter(fields.values()))))])
    columns = {name: pd.Series(values) for name, values in fields.items()}
    return finding_rows(guide, "readability.long_sentence", ids, fields=columns)[
        "message"].tolist()


def test_messages_agree_in_number_row_by_row():
    assert _messages("The {unit} has {count} {count:plural:sentence} over {limit} words.",
                     unit=["intro", "section"], count=[1, 4], limit=[25, 25]) == [
        "The intro has 1 sentence over 25 words.", "The section has 4 sentences over 25 words."]
    assert _messages("{count} {count:plural:sentence} {count:plural:is/are} long.",
                     count=[1, 2]) == ["1 sentence is long.", "2 sentences are long."]


def test_a_missing_count_leaves_its_placeholders_visible():
    """A row without a value keeps the placeholder rather than failing or guessing."""
    messages = _messages("{count} {count:plural:word}, grade {grade:.1f}.",
                         count=pd.array([3, None], dtype="Int64"), grade=[9.04, 10.0])
    assert messages == ["3 words, grade 9.0.", "{count} {count:plural:word}, grade 10.0."]


def test_format_message_handles_literal_braces_and_plurals():
    assert format_message("{{n}} is {n} {n:plural:day}", {"n": 1}) == "{n} is 1 day"


def test_house_messages_agree_with_a_count_of_one():
    guide = load_styleguide()
    ids = pd.Series(["a"])
    short = finding_rows(guide, "completeness.short_section", ids, fields={
        "heading": "How It Works", "count": 1, "minimum": 60})
    assert short["message"].iloc[0] == ("The \"How It Works\" section has 1 word; the house "
                                        "minimum is 60.")
    stale = finding_rows(guide, "compliance.stale_content", ids, evidence="2020-01-01",
                         fields={"months": 1})
    assert stale["message"].iloc[0].endswith("more than 1 month ago.")
