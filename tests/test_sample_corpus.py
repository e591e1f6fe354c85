"""The sample corpus and its key (data/README.md): every listed defect is seen, nothing else."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from conftest import REPO, SAMPLE_ARTICLES, SAMPLE_CATALOG
from stackwise_analysis import audit, load_corpus

AS_OF = dt.date(2026, 11, 24)  # the day the sample was written; the key judges staleness then
KEY_ROW = re.compile(
    r"^\| (\S+\.(?:txt|md|html|jsonl)(?:#\S+)?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|")


def _key() -> dict[str, dict]:
    rows = {}
    for line in (REPO / "data" / "README.md").read_text(encoding="utf-8").splitlines():
        match = KEY_ROW.match(line)
        if match:
            name, label, _, expected, must_not = (g.strip() for g in match.groups())
            split = lambda s: [] if s in ("-", "clean") else [x.strip() for x in s.split(",")]  # noqa: E731
            rows[name] = {"label": label, "expected": expected, "checks": split(expected),
                          "must_not": split(must_not)}
    return rows


def _article_id(name: str) -> str:
    """A file's stem, or for a record of a dump (``FILE#ID``) its id."""
    return name.split("#", 1)[1] if "#" in name else name.rsplit(".", 1)[0]


KEY = _key()
ARTICLE_KEYS = {n: r for n, r in KEY.items() if not r["expected"].startswith("error:")}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SAMPLE_ARTICLES, metadata=SAMPLE_CATALOG)


@pytest.fixture(scope="module")
def result(corpus):
    return audit(corpus, as_of=AS_OF)


def test_key_and_folder_agree():
    on_disk = {p.name for p in SAMPLE_ARTICLES.iterdir() if not p.name.startswith(".")}
    assert on_disk == {name.split("#")[0] for name in KEY}
    assert len(ARTICLE_KEYS) >= 40


def test_sample_is_varied_and_in_range(corpus):
    articles = corpus.articles
    assert set(articles["risk_level"].dropna()) == {"Low", "Moderate", "High"}
    assert articles["category"].nunique() == 5
    full = articles[articles["article_id"] != "045_ginseng_energy"]
    assert full["word_count"].between(400, 1200).all(), full.loc[
        ~full["word_count"].between(400, 1200), ["article_id", "word_count"]]


@pytest.mark.parametrize("name", sorted(n for n, r in KEY.items()
                                        if r["expected"].startswith("error:")))
def test_non_articles_are_error_rows(corpus, name):
    kind = KEY[name]["expected"].split(":", 1)[1]
    row = corpus.errors[corpus.errors["path"] == name]
    assert row["error"].tolist() == [kind]


@pytest.mark.parametrize("name", sorted(ARTICLE_KEYS))
def test_every_listed_defect_is_found_and_nothing_false(result, name):
    article_id = _article_id(name)
    row = KEY[name]
    found = set(result.findings.loc[result.findings["article_id"] == article_id, "check"])
    for check in row["checks"]:
        assert check in found, f"{name}: expected {check}, found {sorted(found)}"
    for check in row["must_not"]:
        assert check not in found, f"{name}: {check} must not fire"
    if row["expected"] == "clean":
        blockers = result.findings.query("article_id == @article_id and severity == 'blocker'")
        assert blockers.empty, blockers[["check", "evidence"]].to_string()


def _sections(corpus, article_id):
    return corpus.sections[corpus.sections["article_id"] == article_id]


def _article(corpus, article_id):
    return corpus.articles.set_index("article_id").loc[article_id]


def test_defects_are_visible_in_the_frames(corpus):
    six = ["how_it_works", "benefits", "science", "protocol", "watch_out", "health_risks"]
    assert "science" not in _sections(corpus, "013_fecal_microbiota_transplant")["section"].tolist()
    assert _sections(corpus, "014_tai_chi_balance")["section"].tolist()[:2] == [
        "benefits", "how_it_works"]
    assert not _article(corpus, "015_colon_hydrotherapy")["has_disclaimer"]
    assert _article(corpus, "016_magnesium_sleep")["risk_label_raw"] is None or \
        str(_article(corpus, "016_magnesium_sleep")["risk_label_raw"]) == "<NA>"
    assert _article(corpus, "017_tens_unit_pain")["risk_count"] == 0
    assert _sections(corpus, "019_elderberry_colds")["section"].isna().sum() == 1
    for clean_variant in ("011_cold_water_immersion", "012_probiotics_ibs", "020_yoga_nidra",
                          "021_low_fodmap_diet", "022_float_tank_therapy", "034_pemf_mat"):
        assert _sections(corpus, clean_variant)["section"].tolist() == six, clean_variant
        assert _article(corpus, clean_variant)["risk_count"] >= 1
        assert _article(corpus, clean_variant)["has_disclaimer"]
    assert not _article(corpus, "012_probiotics_ibs")["title"].startswith("\ufeff")
    assert _article(corpus, "032_stem_cell_knee")["risk_label_raw"] == "Medium-High Risk"
    assert _article(corpus, "033_nad_infusion")["risk_count"] == 2
    assert (_sections(corpus, "036_auricular_acupressure")["section"] == "how_it_works").sum() == 2
    assert _article(corpus, "037_bone_broth_fast")["intro"] == ""
    empty = _sections(corpus, "043_lymphatic_drainage").set_index("section")
    assert empty.loc["protocol", "word_count"] == 0
    assert not _article(corpus, "045_ginseng_energy")["has_disclaimer"]


def test_cms_exports_read_as_house_articles(corpus):
    exports = corpus.articles[corpus.articles["format"].isin(["html", "markdown", "jsonl"])
                              & corpus.articles["article_id"].str[:3].isin(["046", "047",
                                                                           "049", "050"])]
    assert exports["article_id"].tolist() == ["046_neti_pot_sinus", "047_collagen_peptides",
                                              "049_mouth_taping", "050_blue_light_glasses"]
    assert (exports["section_count"] == 6).all() and (exports["risk_count"] == 4).all()
    assert exports["risk_level"].notna().all() and exports["has_disclaimer"].all()
    assert corpus.sections.loc[corpus.sections["article_id"].isin(exports["article_id"]),
                               "section"].notna().all()
    chrome = ("Hannah Cole", "Posted on", "miracle", "100% safe", "Share this", "Related",
              "Leave a Reply", "cookies", "Devices", "draft", "hero_image", "Most read")
    texts = [*exports["intro"], *exports["disclaimer"],
             *corpus.sections.loc[corpus.sections["article_id"].isin(exports["article_id"]),
                                  "text"]]
    assert not [m for m in chrome for t in texts if m in t]
    # metadata from the export itself: the catalog has a row for the page only
    assert exports["category"].tolist() == ["device", "supplement", "mind-body", "device"]
    assert _article(corpus, "047_collagen_peptides")["last_reviewed"] == pd.Timestamp(
        "2023-09-14")
    assert set(exports["path"]) == {"046_neti_pot_sinus.html", "047_collagen_peptides.md",
                                    "048_cms_dump.jsonl"}
