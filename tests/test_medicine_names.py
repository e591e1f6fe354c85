"""The medicine names (``text.medicines``) and the pure rules of
scripts/build_medicine_names.py (no drug dictionary package needed)."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import REPO
from stackwise_analysis.syllables import easy_words
from stackwise_analysis.text.medicines import NAMES_FILE, load_medicine_names


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location(
        "build_medicine_names", REPO / "scripts" / "build_medicine_names.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_monographed_medicines_by_names_copy_could_write(build):
    canonical = {
        "fluoxetine": {"medline_plus_id": "a689006"},
        "melatonin": {"drugbank_id": "DB01065"},  # a supplement: no monograph
        "cholecalciferol": {"medline_plus_id": "a604032"},
        "tretinoin": {"medline_plus_id": "natural/123"},  # not a drug monograph id
    }
    variants = {"fluoxetine": ["fluoxetine"], "prozac": ["fluoxetine"],
                "melatonin": ["melatonin"], "vitamin d3": ["cholecalciferol"],
                "sarafem pulvules 20 mg tabs": ["fluoxetine"],  # too many words
                "water": ["fluoxetine"],  # a familiar word
                "flx": ["fluoxetine"],  # too short
                "retin-a": ["tretinoin"]}
    assert build.medicine_names(variants, canonical, easy_words()) == ["fluoxetine", "prozac"]


def test_packaged_names_have_medicines_not_supplements():
    names = set(load_medicine_names())
    assert {"sumatriptan", "methylphenidate", "ritalin", "omeprazole"} <= names
    assert not names & {"melatonin", "turmeric", "fish oil", "ashwagandha", "magnesium"}
    assert len(names) > 5000


def test_file_header_names_its_source_and_builder():
    path = REPO / "stackwise_analysis" / "data" / NAMES_FILE
    header = " ".join(ln for ln in path.read_text("utf-8").splitlines() if ln.startswith("#"))
    assert "drug-named-entity-recognition" in header
    assert "scripts/build_medicine_names.py" in header
