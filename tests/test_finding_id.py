"""A finding's identity: stable across edits that move it, new when its evidence changes."""

from __future__ import annotations

import pandas as pd
import pytest
from corpus_factory import CLEAN_INTRO, make_corpus, spec

from stackwise_analysis.audits import audit_articles
from stackwise_analysis.audits.findings import (
    FINDING_ID_LENGTH,
    finding_ids,
    make_findings,
    normalise_evidence,
)
from stackwise_analysis.styleguide import load_styleguide

CLAIM = "Our signature drip is clinically proven to cure hangovers in under an hour."
OTHER_CLAIM = "Our signature drip is guaranteed to cure every migraine for good."
EXTRA_PARAGRAPH = ("Readers wrote in after last spring's piece on joint care, so we asked "
                   "two physios (one in Leeds, one in Cork) what they tell new clients.")


def _findings(**changes) -> pd.DataFrame:
    corpus = make_corpus(spec(article_id="drip-bar", **changes))
    findings, _ = audit_articles(corpus, load_styleguide())
    return findings


def _claim_rows(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[findings["check"] == "compliance.absolute_claim"]


def test_inserting_a_paragraph_above_moves_the_line_but_keeps_the_id():
    before = _claim_rows(_findings(sections={"benefits": CLAIM}))
    after = _claim_rows(_findings(intro=CLEAN_INTRO + "\n\n" + EXTRA_PARAGRAPH,
                                  sections={"benefits": CLAIM}))
    assert len(before) == len(after) == 1
    assert after["line"].iloc[0] == before["line"].iloc[0] + 2
    assert after["finding_id"].iloc[0] == before["finding_id"].iloc[0]


def test_other_evidence_is_another_finding():
    first = _claim_rows(_findings(sections={"benefits": CLAIM}))
    second = _claim_rows(_findings(sections={"benefits": OTHER_CLAIM}))
    assert first["finding_id"].iloc[0] != second["finding_id"].iloc[0]


def test_two_findings_of_one_check_in_one_section_have_two_ids():
    both = _claim_rows(_findings(sections={"benefits": CLAIM + " " + OTHER_CLAIM}))
    assert len(both) == 2
    assert set(both["section"]) == {"benefits"}
    assert both["finding_id"].nunique() == 2


def test_every_finding_of_an_audit_has_a_unique_hex_id():
    findings = _findings(label=None, sections={"benefits": CLAIM, "science": None})
    ids = findings["finding_id"]
    assert ids.notna().all() and ids.is_unique
    assert ids.str.fullmatch(f"[0-9a-f]{{{FINDING_ID_LENGTH}}}").all()


def _rows(evidence, *, article_id="kava-tea", check="risk.understated", section="intro",
          line=None) -> pd.DataFrame:
    n = len(evidence)
    return pd.DataFrame({"article_id": [article_id] * n, "check": [check] * n,
                         "section": [section] * n, "evidence": evidence,
                         "line": line if line is not None else list(range(1, n + 1))})


@pytest.mark.parametrize("a,b", [
    ("Kava was linked to liver damage.", "  kava was  linked to LIVER damage"),
    ("It’s “proven”—no doubt.", "It's \"proven\"-no doubt."),
    ("Some needed a transplant, and a small number needed …", "some needed a transplant, and "
     "a small number needed..."),
    ("2 listed", "0 listed"),               # a measured value: the count is not the finding
    ("0 health risks listed", "3 health risks listed"),
])
def test_evidence_that_only_differs_in_form_or_measure_keeps_the_id(a, b):
    assert finding_ids(_rows([a]))[0] == finding_ids(_rows([b]))[0]


@pytest.mark.parametrize("a,b", [
    ("Kava was linked to liver damage.", "Kava was linked to kidney damage."),
    ("About 3 in 10 adults felt calmer.", "About 4 in 10 adults felt calmer."),  # a sentence
    ("2 listed", "2 listed, none serious enough to name in the summary box"),
])
def test_evidence_that_says_something_else_is_a_new_id(a, b):
    assert finding_ids(_rows([a]))[0] != finding_ids(_rows([b]))[0]


def test_article_check_and_section_are_each_part_of_the_id():
    base = finding_ids(_rows(["Dizzy spells"]))[0]
    assert finding_ids(_rows(["Dizzy spells"], article_id="kava-tea-2"))[0] != base
    assert finding_ids(_rows(["Dizzy spells"], check="risk.too_few_risks"))[0] != base
    assert finding_ids(_rows(["Dizzy spells"], section="science"))[0] != base
    assert finding_ids(_rows(["Dizzy spells"], section=None))[0] != base


def test_a_repeated_sentence_gets_one_id_per_repeat_in_line_order():
    twice = ["It cures colds.", "It cures colds."]
    ids = finding_ids(_rows(twice, line=[30, 12]))
    assert ids.nunique() == 2
    alone = finding_ids(_rows(["It cures colds."], line=[12]))[0]
    assert ids[1] == alone  # the first in line order keeps the plain id
    again = finding_ids(_rows(twice, line=[40, 14]))  # both moved: same two ids
    assert again.tolist() == ids.tolist()


def test_normalised_evidence_is_plain_lower_case_text():
    out = normalise_evidence(pd.Series(["  Cures  “ALL” aches…", "2022-03-01", None, "11.5"]))
    assert out.to_pylist() == ['cures "all" aches', "#-#-#", "", "#.#"]


def test_make_findings_keeps_ids_it_is_given_and_fills_the_rest():
    rows = [{"article_id": "a", "check": "risk.missing_label", "severity": "blocker",
             "message": "No label.", "finding_id": "00000000000000aa"},
            {"article_id": "b", "check": "risk.missing_label", "severity": "blocker",
             "message": "No label."}]
    table = make_findings(rows, audit="risk")
    assert table["finding_id"].iloc[0] == "00000000000000aa"
    assert table["finding_id"].iloc[1] == finding_ids(table.iloc[1:])[1]
    assert make_findings([])["finding_id"].dtype == "string"
