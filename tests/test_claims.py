"""Tests for the lexicon matcher (risk.understated's serious harms use it): whole-word
matching, negation and hedge handling. The health-claim audit has its own engine
(tests/test_claim_context.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from stackwise_analysis.claims import (
    compile_lexicon,
    find_mentions,
    is_negated,
    lexicon_source,
    scan_texts,
    sentence_spans,
    texts_matching,
)
from stackwise_analysis.styleguide import load_styleguide

CLAIM_WORDS = ["cure", "cures", "cured", "curing", "guaranteed", "guarantee", "guarantees",
               "miracle", "100% safe", "completely safe", "no side effects", "risk-free",
               "risk free", "proven to", "clinically proven", "FDA approved", "FDA-approved"]


@pytest.fixture(scope="module")
def claims():
    """A claim-word lexicon with the house negations (those of risk.understated)."""
    rule = load_styleguide().rule("risk.understated")
    return compile_lexicon(CLAIM_WORDS, rule["negations"], rule["negation_window"])


def terms(sentence, lexicon):
    return [m.term for m in find_mentions(sentence, lexicon)]


@pytest.mark.parametrize("sentence", [
    "This is not a cure for arthritis.",
    "Consider it part of a plan rather than a standalone cure.",
    "Treat it as one tool rather than a truly standalone cure.",
    "There is no guarantee that it will help.",
    "No guarantee.",
    "It is not a substitute for medical care.",
    "It is never a miracle fix.",
    "It doesn't cure arthritis.",
    "It doesn’t cure arthritis.",
    "It isn't FDA approved.",
    "It cannot cure the disease.",
    "It has not been proven to work.",
    "Results are unlikely to be guaranteed.",
    "Neither a cure nor a miracle.",
    "It is far from a miracle.",
    "Instead of a miracle, expect slow progress.",
    "A cure is not guaranteed.",
    "Though not a cure, it eases the pain.",
    "The brace secures the joint.",
    "Some clinics procured the devices.",
    "Nothing in this paragraph makes a claim.",
])
def test_negated_or_absent_claims_do_not_fire(sentence, claims):
    assert terms(sentence, claims) == []


@pytest.mark.parametrize(("sentence", "expected"), [
    ("This cures arthritis.", ["cures"]),
    ("Results are guaranteed.", ["guaranteed"]),
    ("A MIRACLE for your joints.", ["MIRACLE"]),
    ("It is 100% safe.", ["100% safe"]),
    ("There are no side effects.", ["no side effects"]),
    ("No side effects at all!", ["No side effects"]),
    ("It is completely risk-free.", ["risk-free"]),
    ("It is clinically proven to reduce pain.", ["clinically proven"]),
    ("The device is FDA-approved.", ["FDA-approved"]),
    ("It has no side\neffects.", ["no side effects"]),
    # The negation governs another clause.
    ("It is not cheap, but it cures acne.", ["cures"]),
    ("It is not painful; it cures acne.", ["cures"]),
    ("It is not expensive, and it cures acne.", ["cures"]),
    # The negation stands more than four words before the claim.
    ("No one should expect that this treatment cures everything.", ["cures"]),
    # Documented edge case: a double negation is reported (a reviewer rephrases it).
    ("It is not true that there are no side effects.", ["no side effects"]),
    ("A guaranteed miracle cure.", ["guaranteed", "miracle", "cure"]),
])
def test_claims_fire(sentence, expected, claims):
    assert terms(sentence, claims) == expected


def test_negated_mentions_are_returned_on_request(claims):
    found = find_mentions("Not a cure, but a miracle.", claims, include_negated=True)
    assert [(m.term, m.negated) for m in found] == [("cure", True), ("miracle", False)]


def test_window_counts_words_before_the_claim():
    lexicon = compile_lexicon(["cure"], ["not"], window=2)
    assert terms("It is not a cure.", lexicon) == []
    assert terms("It is not really a cure.", lexicon) == ["cure"]


def test_zero_window_disables_prefix_negation():
    lexicon = compile_lexicon(["cure"], ["not"], window=0)
    assert terms("It is not a cure.", lexicon) == ["cure"]


def test_is_negated_reads_only_the_words_before_the_mention():
    lexicon = compile_lexicon(["no side effects"], ["no"])
    sentence = "There are no side effects."
    start = sentence.index("no side")
    assert not is_negated(sentence, start, start + len("no side effects"), lexicon)
    assert is_negated("It is not true: no side effects.", 16, 31, lexicon) is False


def test_lexicon_source_prefers_longest_phrase_and_ignores_duplicates():
    source = lexicon_source(["proven to", "clinically proven", "Proven  to"])
    assert source.lower().count("proven") == 2
    assert source.index("clinically") < source.lower().index(r"\bproven")


def test_plurals_are_optional():
    assert terms("Blood clots formed.", compile_lexicon(["blood clot"])) == []
    plural = compile_lexicon(["blood clot", "death"], plurals=True)
    assert terms("Blood clots formed; deaths too.", plural) == ["Blood clots", "deaths"]
    assert terms("Blood clotting.", plural) == []


def test_empty_lexicon_never_matches():
    lexicon = compile_lexicon([], ["not"])
    assert find_mentions("It cures everything.", lexicon) == []
    assert texts_matching(["anything", ""], lexicon.source).tolist() == [False, False]


def test_texts_matching_is_vectorised_and_case_aware():
    texts = pd.Series(["See Smith et al. here", "PMID 123", "pmid 123", None], dtype="string")
    assert texts_matching(texts, r"\bPMID\b", ignore_case=False).tolist() == [
        False, True, False, False]
    assert texts_matching(texts, r"\bet al\.").tolist() == [True, False, False, False]


def test_texts_matching_falls_back_for_patterns_re2_rejects():
    # RE2 has no look-behind; Python's re takes over.
    assert texts_matching(["a cure", "no cure"], r"(?<!no )cure").tolist() == [True, False]


def test_sentence_spans_keep_offsets_and_end_at_lines():
    # Lines end sentences, as they end the readability audit's units: one splitter for both.
    text = "First one, e.g. this. Second one\ncontinues.\n\nThird"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one, e.g. this.", "Second one",
                                             "continues.", "Third"]


def test_sentence_spans_by_line_splits_bullets():
    text = "mild soreness\nliver damage"
    assert [text[a:b] for a, b in sentence_spans(text, by_line=True)] == [
        "mild soreness", "liver damage"]


def test_sentence_spans_use_the_given_splitter():
    text = "a b; c d"
    spans = sentence_spans(text, lambda block: block.split(";"))
    assert [text[a:b] for a, b in spans] == ["a b", "c d"]


def test_scan_texts_reports_sentence_and_newlines(claims):
    texts = pd.Series(["Not a cure.", "Line one.\nIt is a miracle. Really."], index=[10, 20])
    hits = scan_texts(texts, claims)
    assert hits[["row", "term", "sentence", "newlines"]].to_dict("records") == [
        {"row": 20, "term": "miracle", "sentence": "It is a miracle.", "newlines": 1}]


def test_scan_texts_by_line_keeps_bullets_apart(claims):
    texts = pd.Series(["nothing here\nrisk-free results"])
    hits = scan_texts(texts, claims, by_line=pd.Series([True]))
    assert hits["sentence"].tolist() == ["risk-free results"]
    assert hits["newlines"].tolist() == [1]


def test_scan_texts_on_no_hits_is_empty_with_columns(claims):
    hits = scan_texts(pd.Series(["Plain text."]), claims)
    assert hits.empty
    assert list(hits.columns) == ["row", "term", "sentence", "sentence_start", "newlines"]
