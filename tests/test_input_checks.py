"""Input that used to be taken without a word: odd style-guide values, catalog rows that
match no article, an HTML page saved as .txt."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from corpus_factory import render, spec

from stackwise_analysis import audit, load_corpus, load_styleguide
from stackwise_analysis.exceptions import StyleguideError


# ------------------------------------------------------------------ style-guide values
@pytest.mark.parametrize(("text", "key", "problem"), [
    ("readability:\n  target_grade: .nan\n", "readability.target_grade", "not a finite"),
    ("rules:\n  readability.hard_to_read:\n    above_grade: .inf\n",
     "rules.readability.hard_to_read.above_grade", "not a finite"),
    ("rules:\n  readability.above_target:\n    above_grade: -2\n",
     "rules.readability.above_target.above_grade", "negative"),
    ("rules:\n  completeness.missing_intro:\n    min_words: -10\n",
     "rules.completeness.missing_intro.min_words", "negative"),
    ("rules:\n  risk.too_few_risks:\n    min_risks:\n      High: -1\n",
     "rules.risk.too_few_risks.min_risks.High", "negative"),
    ("rules:\n  readability.long_sentence:\n    max_words: 0\n",
     "rules.readability.long_sentence.max_words", "1 or more"),
    ("rules:\n  compliance.stale_content:\n    months: 0\n",
     "rules.compliance.stale_content.months", "1 or more"),
    ("version: 3\n", "version", "not supported"),
    ("readability:\n  target_grade: 7\n  target_grade: 9\n", "line 3",
     "duplicate key 'target_grade'"),
    ("rules:\n  risk.understated:\n    level: info\n  risk.understated:\n    level: blocker\n",
     "line 4", "duplicate key 'risk.understated'"),
])
def test_style_guide_values_are_range_checked(tmp_path, text, key, problem):
    path = tmp_path / "mine.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StyleguideError) as caught:
        load_styleguide(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.parametrize("text", [
    "readability:\n  target_grade: 0\nrules:\n  readability.above_target:\n    above_grade: 6.5\n",
    "version: 2\nrules:\n  risk.understated:\n    negation_window: 0\n",
    'rules:\n  readability.hard_to_read:\n    message: "Grade {grade:.0f} ({unit}): {evidence}"\n',
])
def test_sound_values_still_load(tmp_path, text):
    path = tmp_path / "mine.yml"
    path.write_text(text, encoding="utf-8")
    assert load_styleguide(path).sources[-1] == str(path)


# ------------------------------------------------------------------ catalog rows
def _write(folder, *specs):
    folder.mkdir(parents=True, exist_ok=True)
    for s in specs:
        (folder / f"{s.article_id}.txt").write_text(render(s), encoding="utf-8")
    return folder


def test_catalog_ids_are_trimmed_and_unmatched_rows_reported(tmp_path):
    folder = _write(tmp_path / "articles", spec(article_id="cold-plunge"),
                    spec(article_id="Sauna-Basics"), spec(article_id="kava-tea"))
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "article_id,category,last_reviewed\n"
        "cold-plunge ,procedure,2023-01-15\n"      # trailing space from a spreadsheet
        "sauna-basics,device,2026-10-01\n"          # another case
        "kava_tea_old,supplement,2026-10-01\n"      # the article was renamed
        "kava-tea,supplement,2026-09-01\n",
        encoding="utf-8")
    corpus = load_corpus(folder, metadata=catalog)
    reviewed = corpus.articles.set_index("article_id")["last_reviewed"]
    assert reviewed["cold-plunge"] == pd.Timestamp("2023-01-15")
    assert pd.isna(reviewed["Sauna-Basics"])
    unmatched = corpus.errors[corpus.errors["error"] == "metadata_unmatched"]
    assert unmatched["path"].tolist() == [str(catalog)] * 2
    first, second = unmatched["message"].tolist()
    assert first.startswith("line 3: article_id 'sauna-basics' matches no article")
    assert "'Sauna-Basics' differs only in case" in first
    assert second.startswith("line 4: article_id 'kava_tea_old' matches no article")
    # The stale-content blocker of the trimmed row is raised, not quietly lost.
    stale = audit(corpus, as_of=dt.date(2026, 11, 24)).findings.query(
        "check == 'compliance.stale_content'")
    assert stale["article_id"].tolist() == ["cold-plunge"]


def test_the_corpus_command_says_how_many_catalog_rows_match_nothing(tmp_path, capsys):
    from stackwise_analysis.cli import main

    folder = _write(tmp_path / "articles", spec(article_id="cold-plunge"))
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("article_id,category\ncold-plunge,procedure\nhot-yoga,exercise\n",
                       encoding="utf-8")
    assert main(["corpus", str(folder), "--metadata", str(catalog), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 catalog row(s) match no article" in out and "'hot-yoga'" in out


# ------------------------------------------------------------------ HTML saved as .txt
PAGE = """<!DOCTYPE html>
<!-- saved from the CMS preview, 2026-11-02 -->
<html lang="en"><head><meta charset="utf-8"><title>Red Light Therapy | Stackwise</title>
<style>body {{ font-family: sans-serif; }}</style></head>
<body><article>
<h1>Red Light Therapy for Sore Muscles</h1>
<p>Moderate Risk</p>
<p>Red and near-infrared lamps are sold for recovery after exercise (Ferraresi et al., 2016).
Ask your doctor first if you take light-sensitising drugs.</p>
<h2>How It Works</h2><p>Light at 630 to 850 nm reaches a few millimetres into the skin.</p>
<h2>Benefits For Your Health</h2><p>Some small trials report less soreness a day later.</p>
<h2>The Science Behind It</h2><p>The evidence is limited and the studies are small.</p>
<h2>Treatment Protocol</h2><p>Sessions of ten minutes, three times a week.</p>
<h2>What to Watch Out For</h2><p>Never look into the lamp.</p>
<h2>Health Risks</h2><ul><li>eye strain</li><li>skin redness</li><li>headache</li></ul>
<p>{disclaimer}</p>
</article></body></html>
"""


def test_an_html_page_saved_as_txt_is_read_as_html(tmp_path):
    from corpus_factory import DISCLAIMER

    page = PAGE.format(disclaimer=DISCLAIMER)
    for name in ("as_text/red-light.txt", "as_html/red-light.html"):
        path = tmp_path / name
        path.parent.mkdir()
        path.write_text(page, encoding="utf-8")
    as_text = load_corpus(tmp_path / "as_text")
    as_html = load_corpus(tmp_path / "as_html")
    assert as_text.articles["format"].tolist() == ["html"]
    assert as_text.articles["title"].tolist() == ["Red Light Therapy for Sore Muscles"]
    for frame in ("sections", "risks"):
        pd.testing.assert_frame_equal(getattr(as_text, frame), getattr(as_html, frame))
    findings = audit(as_text, as_of=dt.date(2026, 11, 24)).findings
    assert not findings["check"].isin(["completeness.unknown_heading",
                                       "completeness.missing_section"]).any()
    assert not findings["evidence"].fillna("").str.contains("<").any()


def test_text_that_mentions_a_tag_is_still_text(tmp_path):
    s = spec(intro="Search the label for <b>bold</b> warnings before you buy. "
                   "Talk to your doctor first.")
    path = tmp_path / "a1.txt"
    path.write_text(render(s), encoding="utf-8")
    assert load_corpus(path).articles["format"].tolist() == ["text"]
