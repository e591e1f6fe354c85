"""CMS exports as they come: served HTML pages, Markdown with front matter, JSON dumps.

The exports under tests/data/cms/ carry sample articles of ours (data/articles/) in the
shapes Ghost, Hugo and Contentful give them; each must parse to the same sections as the
plain-text original, with none of the page chrome or front matter in the text.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest
from article_text import HOUSE_DISCLAIMER
from cms_exports import (
    CHROME_MARKERS,
    html_page,
    jsonl_record,
    markdown_export,
    split_house_text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_ARTICLES
from stackwise_analysis import audit, load_corpus
from stackwise_analysis.constants import SECTION_KEYS

CMS = Path(__file__).parent / "data" / "cms"
#: Text of the committed exports' chrome and front matter (Ghost theme, Hugo, Contentful).
FIXTURE_CHROME = ("Sign in", "Subscribe", "Featured", "Tom Lindqvist", "min read", "Apr 1",
                  "About us", "Powered by Ghost", "miracle cure", "100% safe", "Comments",
                  "Breathe easier", "40,000 readers", "Close (Esc)", "Fast breathing, long",
                  "with-full-cover", "Mind-body", "slug", "melatonin-jet-lag", "draft",
                  "toc:", "timing matters more", "healthArticle", "contentType", "3xHero")


@pytest.fixture(scope="module")
def cms():
    return load_corpus(CMS)


def _article(corpus, article_id):
    return corpus.articles.set_index("article_id").loc[article_id]


def _sections(corpus, article_id):
    return corpus.sections.loc[corpus.sections["article_id"] == article_id,
                               ["section", "heading", "text"]].reset_index(drop=True)


def _prose(corpus, article_id) -> list[str]:
    row = _article(corpus, article_id)
    return [row["intro"], str(row["disclaimer"]), *_sections(corpus, article_id)["text"],
            *_sections(corpus, article_id)["heading"]]


def _same_as_plain(corpus, article_id, plain_name):
    plain = load_corpus(SAMPLE_ARTICLES / plain_name)
    plain_id = plain.articles["article_id"].iloc[0]
    pd.testing.assert_frame_equal(_sections(corpus, article_id), _sections(plain, plain_id))
    ours, theirs = _article(corpus, article_id), _article(plain, plain_id)
    for column in ("title", "risk_level", "intro", "disclaimer", "risk_count"):
        assert ours[column] == theirs[column], column


# ------------------------------------------------------------------ HTML
def test_served_page_reads_like_the_plain_text(cms):
    row = _article(cms, "breathwork_ghost_page")
    assert row["format"] == "html"
    assert row["risk_label_raw"] == "Moderate Risk" and row["risk_level"] == "Moderate"
    _same_as_plain(cms, "breathwork_ghost_page", "027_breathwork.txt")
    assert row["disclaimer"] == HOUSE_DISCLAIMER
    for text in _prose(cms, "breathwork_ghost_page"):
        leaked = [m for m in FIXTURE_CHROME if m in text]
        assert not leaked, leaked


def test_label_after_a_byline_and_title_from_the_title_tag(write):
    page = ("<html><head><title>Kava for anxiety | Stackwise Health</title></head><body>"
            "<nav><a>Home</a></nav><div class='post'><div class='byline'>By Ana Ruiz</div>"
            "<div class='badge'>High Risk</div><p>Kava is a drink made from a root.</p>"
            "<h3>How It Works</h3><p>It calms.</p><p>More words here.</p></div>"
            "<div class='sidebar'><p>Popular</p></div><footer><p>(c) 2026</p></footer>"
            "</body></html>")
    corpus = load_corpus(write("kava.html", page))
    row = corpus.articles.iloc[0]
    assert row["title"] == "Kava for anxiety"
    assert row["risk_label_raw"] == "High Risk"
    assert row["intro"] == "By Ana Ruiz\n\nKava is a drink made from a root."
    assert corpus.sections["text"].tolist() == ["It calms.\n\nMore words here."]


def test_hidden_elements_and_forms_do_not_leak(write):
    page = ("<body><main><h1>Float tanks</h1><p>Low Risk</p><p>Floating is restful.</p>"
            "<h2>How It Works</h2><p>Salt water.</p>"
            "<div style='display: none'>Sponsored: miracle cure</div>"
            "<p hidden>Hidden note</p><span class='sr-only'>Opens in new tab</span>"
            "<form><label>Email</label><input></form><p>Warm water.</p></main></body>")
    corpus = load_corpus(write("float.html", page))
    assert corpus.sections["text"].tolist() == ["Salt water.\n\nWarm water."]


def test_page_without_article_content_is_an_error_row(cms):
    row = cms.errors[cms.errors["path"] == "page_not_found.html"]
    assert row["error"].tolist() == ["no_content"]
    assert "no article content" in row["message"].iloc[0]
    assert "page_not_found" not in set(cms.articles["article_id"])


# ------------------------------------------------------------------ Markdown
def test_front_matter_is_metadata_not_text(cms):
    row = _article(cms, "melatonin_hugo")
    assert row["format"] == "markdown"
    assert row["title"] == "Melatonin for jet lag"
    assert row["title_line"] == 18  # the "# " line, after 16 lines of front matter
    assert row["risk_label_raw"] == "Low Risk"
    _same_as_plain(cms, "melatonin_hugo", "039_melatonin_jet_lag.txt")
    assert row["intro"].startswith("Crossing several time zones")
    for text in _prose(cms, "melatonin_hugo"):
        leaked = [m for m in FIXTURE_CHROME if m in text]
        assert not leaked, leaked
    assert row["category"] == "supplement" and row["author"] == "Tom Lindqvist"
    assert row["tags"] == "sleep, travel, supplements"
    assert row["last_reviewed"] == pd.Timestamp("2023-05-17")
    assert row["published"] == pd.Timestamp("2025-04-04 07:30")  # date: with +02:00, in UTC


def test_staleness_from_front_matter_without_a_catalog(cms):
    findings = audit(cms, as_of=dt.date(2026, 11, 24)).findings
    stale = findings[findings["check"] == "compliance.stale_content"]
    assert stale["article_id"].tolist() == ["melatonin_hugo"]


def test_malformed_front_matter_is_reported_not_guessed(cms):
    row = cms.errors[cms.errors["path"] == "melatonin_broken_front_matter.md"]
    assert row["error"].tolist() == ["front_matter"]
    assert row["message"].iloc[0].startswith("line 2: the front matter is not valid YAML")


@pytest.mark.parametrize("text, problem", [
    ("---\ntitle: Yoga\n# Yoga\n\nLow Risk\n", "never closed"),
    ("+++\ntitle = 'Yoga\n+++\n# Yoga\n", "not valid TOML"),
    ("---\n- a list\n---\n# Yoga\n", "not a set of 'key: value' lines"),
])
def test_front_matter_problems_name_the_problem(write, text, problem):
    corpus = load_corpus(write("a.md", text))
    assert corpus.errors["error"].tolist() == ["front_matter"]
    assert problem in corpus.errors["message"].iloc[0]


def test_toml_front_matter_and_fallback_title_and_label(write):
    text = ("+++\ntitle = \"Sound baths\"\nrisk = \"Low\"\nlast_reviewed = 2024-02-03\n+++\n\n"
            "Lying still while bowls ring.\n\n## How It Works\n\nVibration, mostly.\n")
    row = load_corpus(write("a.md", text)).articles.iloc[0]
    assert (row["title"], row["risk_level"], row["risk_label_raw"]) == ("Sound baths", "Low",
                                                                        "Low")
    assert row["intro"] == "Lying still while bowls ring."
    assert row["last_reviewed"] == pd.Timestamp("2024-02-03")


# ------------------------------------------------------------------ JSON dumps
def test_each_jsonl_record_is_an_article_and_bad_ones_are_error_rows(cms):
    dump = cms.articles[cms.articles["path"] == "contentful_dump.jsonl"]
    assert dump["article_id"].tolist() == ["5kQ2wBlanket01", "7TnSeaMoss02"]
    assert dump["format"].tolist() == ["jsonl", "jsonl"]
    assert dump["title_line"].tolist() == [1, 3]  # the record's line in the dump
    _same_as_plain(cms, "5kQ2wBlanket01", "040_weighted_blanket.txt")  # body_markdown
    _same_as_plain(cms, "7TnSeaMoss02", "044_sea_moss.txt")  # body_html, label "low"
    errors = cms.errors[cms.errors["path"] == "contentful_dump.jsonl"]
    assert errors["error"].tolist() == ["not_json", "no_body"]
    assert errors["message"].iloc[0].startswith("line 2: not valid JSON")
    assert errors["message"].iloc[1].startswith("line 4, record '2WdDraft04': ")
    blanket = _article(cms, "5kQ2wBlanket01")
    assert blanket["author"] == "Hannah Cole" and blanket["tags"] == "sleep, anxiety"
    assert blanket["published"] == pd.Timestamp("2024-05-11 06:00")
    assert "heroImage" not in cms.articles.columns  # an object is not a column value


def test_json_list_with_field_names_from_the_styleguide(write, tmp_path):
    guide = write("sg.yml", "exports:\n  fields:\n    id: [uuid]\n    title: [headline]\n"
                            "    body: [content]\n    last_reviewed: [reviewed_on]\n")
    records = [{"uuid": "a-1", "headline": "Yoga", "risk": "Low Risk",
                "content": "Gentle stretching.\n\n## How It Works\n\n- slow\n",
                "reviewed_on": "2025-01-02"},
               {"uuid": "a-2", "headline": "Tai chi", "content": "<p>Slow moves.</p>"}]
    text = json.dumps(records, indent=2)
    write("dump.json", text[:-1] + ', {"uuid": "a-3", "headline": broken}\n]')
    corpus = load_corpus(tmp_path / "dump.json", styleguide=guide)
    assert corpus.articles["article_id"].tolist() == ["a-1", "a-2"]
    assert corpus.articles["title"].tolist() == ["Yoga", "Tai chi"]
    assert corpus.articles["title_line"].tolist() == [2, 9]
    assert corpus.articles["intro"].tolist() == ["Gentle stretching.", "Slow moves."]
    assert corpus.articles["last_reviewed"].iloc[0] == pd.Timestamp("2025-01-02")
    assert corpus.errors["error"].tolist() == ["not_json"]
    assert corpus.errors["message"].iloc[0].startswith("line 14: not valid JSON")


@pytest.mark.parametrize("line, kind", [
    ('["not", "an", "object"]', "not_article"),
    ('{"title": "No id", "body": "x"}', "no_id"),
    ('{"id": "../etc/passwd", "body": "x"}', "bad_id"),
    ('{"id": "x1", "body": 42}', "no_body"),
    ('{"id": "x1", "title": "Empty", "body": "  "}', "empty"),
    ("[" * 100_000 + "]" * 100_000, "not_json"),
], ids=["list", "no-id", "path-id", "number-body", "blank-body", "deep"])
def test_bad_record_is_one_error_row_and_the_rest_load(write, line, kind):
    good = json.dumps({"id": "ok-1", "title": "Yoga", "body": "Low Risk\n\nFine."})
    corpus = load_corpus(write("d.jsonl", f"{good}\n\n{line}\n{good.replace('ok-1', 'ok-2')}"))
    assert corpus.articles["article_id"].tolist() == ["ok-1", "ok-2"]
    assert corpus.errors["error"].tolist() == [kind]
    assert corpus.errors["message"].iloc[0].startswith("line 3")
    assert corpus.errors["path"].tolist() == ["d.jsonl"]


def test_duplicate_record_ids_keep_the_first(write, tmp_path):
    one = {"id": "yoga", "title": "Yoga", "body": "Intro.\n\n## Health Risks\n\n- strain\n"}
    two = {**one, "title": "Yoga again", "body": "Other.\n\n## Health Risks\n\n- a\n- b\n"}
    write("a/yoga.txt", "Yoga from a file\n\nLow Risk\n\nIntro.\n")
    write("b/d.jsonl", json.dumps(one) + "\n" + json.dumps(two) + "\n")
    corpus = load_corpus(tmp_path)
    assert corpus.articles["title"].tolist() == ["Yoga from a file"]
    assert corpus.errors["error"].tolist() == ["duplicate_id", "duplicate_id"]
    assert corpus.sections.empty and corpus.risks.empty
    assert "a/yoga.txt" in corpus.errors["message"].iloc[0]


def test_dump_with_no_records_is_an_error(write, tmp_path):
    write("empty.json", "[]")
    write("blank.jsonl", "\n\n")
    corpus = load_corpus(tmp_path)
    assert sorted(corpus.errors["error"]) == ["empty", "empty"]


def test_catalog_wins_over_the_export_and_disagreements_are_reported(write, tmp_path):
    shutil.copy(CMS / "melatonin_hugo.md", tmp_path / "melatonin_hugo.md")
    catalog = write("catalog.csv", "article_id,category,last_reviewed\n"
                                   "melatonin_hugo,supplement,2026-06-10\n")
    corpus = load_corpus(tmp_path / "melatonin_hugo.md", metadata=catalog)
    row = corpus.articles.iloc[0]
    assert row["last_reviewed"] == pd.Timestamp("2026-06-10")
    assert row["author"] == "Tom Lindqvist"  # only the export has it
    assert corpus.errors["error"].tolist() == ["metadata"]
    message = corpus.errors["message"].iloc[0]
    assert "2026-06-10" in message and "2023-05-17" in message and "catalog" in message


def test_bad_date_in_an_export_is_a_metadata_error(write):
    text = "---\nlast_reviewed: last spring\n---\n# Yoga\n\nLow Risk\n\nIntro.\n"
    corpus = load_corpus(write("yoga.md", text))
    assert corpus.articles["last_reviewed"].isna().all()
    assert corpus.errors["error"].tolist() == ["metadata"]
    assert "'last spring'" in corpus.errors["message"].iloc[0]


def test_plain_text_corpus_gains_no_columns(write):
    corpus = load_corpus(write("a.txt", "Yoga\n\nLow Risk\n\nIntro.\n"))
    assert "_export" not in corpus.articles.columns
    assert len(corpus.articles.columns) == 17


_LINE = st.one_of(
    st.builds(lambda i, body: json.dumps({"id": f"r{i}", "title": "T", "body": body}),
              st.integers(0, 10**6), st.text(alphabet=string.printable + "•é", max_size=60)),
    st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), min_size=1,
            max_size=40).filter(str.strip),
)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, min_size=1, max_size=8))
def test_every_record_is_in_exactly_one_frame(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("dump")
    (folder / "d.jsonl").write_text("\n".join(lines), encoding="utf-8")
    corpus = load_corpus(folder)
    whole_file = corpus.errors["message"].str.match(r"^line \d").eq(False).sum()
    if whole_file:  # the file as a whole was refused: one row says why
        assert len(corpus.errors) == 1 and corpus.articles.empty
    else:
        assert len(corpus.articles) + len(corpus.errors) == len(lines)
    assert corpus.articles["article_id"].is_unique


# ------------------------------------------------------------------ the reference, three ways
EXPORTS = {
    "html": lambda parts: ("000_reference.html", html_page(parts)),
    "markdown": lambda parts: ("000_reference.md", markdown_export(parts)),
    "jsonl": lambda parts: ("dump.jsonl", jsonl_record(parts, "000_reference") + "\n"),
}


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_reference_exported_three_ways_reads_like_the_plain_text(reference_article, tmp_path,
                                                                  kind):
    parts = split_house_text(reference_article.read_text(encoding="utf-8"))
    name, text = EXPORTS[kind](parts)
    (tmp_path / name).write_text(text, encoding="utf-8")
    exported = load_corpus(tmp_path / name)
    plain = load_corpus(reference_article)
    assert exported.errors.empty
    row, plain_row = exported.articles.iloc[0], plain.articles.iloc[0]
    assert row["title"] == plain_row["title"] == parts.title
    assert row["risk_label_raw"] == "Moderate Risk" and row["risk_level"] == "Moderate"
    assert exported.sections["section"].tolist() == list(SECTION_KEYS)
    assert exported.sections["text"].tolist() == plain.sections["text"].tolist()
    assert exported.risks["risk"].tolist() == plain.risks["risk"].tolist()
    assert len(exported.risks) == 4
    assert row["intro"] == plain_row["intro"]
    assert row["disclaimer"] == plain_row["disclaimer"] == HOUSE_DISCLAIMER
    for text in [row["intro"], row["disclaimer"], *exported.sections["text"],
                 *exported.sections["heading"]]:
        leaked = [m for m in CHROME_MARKERS if m in text]
        assert not leaked, leaked
    findings = audit(exported).findings
    assert findings[findings["severity"] == "blocker"].empty
    plain_checks = sorted(audit(plain).findings["check"])
    assert sorted(findings["check"]) == plain_checks


def test_title_outside_the_article_is_the_one_the_title_tag_names(write):
    page = ("<html><head><title>Sea moss gel - Stackwise Health</title></head><body>"
            "<header><h1 class='site-title'>Stackwise Health</h1></header><main>"
            "<header class='page-header'><h1>Sea moss gel</h1></header><div class='body'>"
            "<p>Low Risk</p><p>Sea moss is a seaweed.</p></div></main></body></html>")
    row = load_corpus(write("moss.html", page)).articles.iloc[0]
    assert (row["title"], row["title_line"]) == ("Sea moss gel", 1)
    assert row["risk_label_raw"] == "Low Risk" and row["intro"] == "Sea moss is a seaweed."
    logo_only = page.replace("<header class='page-header'><h1>Sea moss gel</h1></header>", "")
    row = load_corpus(write("logo.html", logo_only)).articles.iloc[0]
    assert row["title"] == "Sea moss gel"  # from <title>, not the site logo's <h1>
