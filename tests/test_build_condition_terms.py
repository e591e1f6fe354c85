"""Tests for the pure rules of scripts/build_condition_terms.py (no ontology package needed)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location(
        "build_condition_terms", REPO / "scripts" / "build_condition_terms.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.parametrize(("name", "term"), [
    ("Kidney stones", "kidney stones"),
    ("High  blood pressure", "high blood pressure"),
    ("COVID-19", "covid-19"),  # an abbreviation on the keep list
    ("H. pylori", "h. pylori"),
    ("Alzheimer's disease", "alzheimer's disease"),
])
def test_normalise_keeps_condition_names(build, name, term):
    assert build.normalise(name) == term


@pytest.mark.parametrize("name", [
    "Abnormality of the elbow",  # anatomy, not a condition
    "Fifth finger aplasia",
    "Urinary tract infection, site not specified",  # a comma left in
    "Hypoglycemia (neonatal)",  # a bracket left in
    "Increased circulating free fatty acid concentration",  # five words
    "12345",
    "Other disorders of urinary system",
    "Stress",  # on the stoplist
    "TACO",  # an abbreviation off the keep list
    "IgA",
    "Behavioral syndromes associated",  # a dangling word
])
def test_normalise_drops_names_that_break_a_rule(build, name):
    assert build.normalise(name) is None


@pytest.mark.parametrize(("name", "plain"), [
    ("Essential (primary) hypertension", "Essential hypertension"),
    ("Anemia, unspecified", "Anemia"),
    ("Urinary tract infection, site not specified", "Urinary tract infection"),
    ("Influenza due to unidentified influenza virus", "Influenza"),
    ("Type 2 diabetes mellitus with hyperglycemia", "Type 2 diabetes mellitus"),
    ("Other and unspecified malignant neoplasm of skin", "malignant neoplasm of skin"),
])
def test_icd_conventions_are_taken_out(build, name, plain):
    assert build.icd_plain(name) == plain


@pytest.mark.parametrize(("us", "uk"), [
    ("esophageal tumor", "oesophageal tumour"),
    ("hemorrhoids", "haemorrhoids"),
    ("iron deficiency anemia", "iron deficiency anaemia"),
    ("lymphedema", "lymphoedema"),
    ("acute diarrhea", "acute diarrhoea"),
    ("chronic myeloid leukemia", "chronic myeloid leukaemia"),
    ("fetal distress", "foetal distress"),
])
def test_spellings_convert_both_ways(build, us, uk):
    assert build.uk_spelling(us) == uk
    assert build.us_spelling(uk) == us
    assert build.spelling_variants(us) == build.spelling_variants(uk) == {us, uk}


@pytest.mark.parametrize("word", ["chemotherapy", "oedema", "academia", "hemp"])
def test_spelling_leaves_lookalikes_alone(build, word):
    assert build.uk_spelling(word) == word


def test_match_keys_meet_across_sources(build):
    assert build.match_key("alzheimer's disease") == build.match_key("alzheimer disease")
    assert build.match_key("type ii diabetes mellitus") == build.match_key(
        "type 2 diabetes mellitus")
    assert build.match_key("erectile dysfunction") in build.match_keys(
        "male erectile dysfunction")
    assert build.match_key("urinary tract infection") in build.match_keys(
        "recurrent urinary tract infections")


def test_merge_keeps_one_row_per_term_and_the_house_kind(build):
    row = build.Row
    rows = [row("tumour", "disease", "hpo:HP:0002664"), row("gout", "disease", "icd10cm:M10"),
            row("gout", "disease", "hpo:HP:0001997")]
    merged = build.merge(rows, [row("tumour", "agent", "house"), row("germs", "agent", "house")])
    assert [(r.term, r.kind, r.source) for r in merged] == [
        ("germs", "agent", "house"),
        ("gout", "disease", "hpo:HP:0001997"),
        ("tumor", "agent", "hpo:HP:0002664"),  # the US twin, same kind and source
        ("tumour", "agent", "hpo:HP:0002664"),
    ]
