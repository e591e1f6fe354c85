"""The loader: the reference article, format drift, bad files as error rows, the invariant."""

from __future__ import annotations

import string

import pandas as pd
import pytest
from article_text import HOUSE_DISCLAIMER, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackwise_analysis import load_corpus
from stackwise_analysis.constants import SECTION_KEYS
from stackwise_analysis.corpus import ARTICLE_COLUMNS, ERROR_COLUMNS, RISK_COLUMNS, SECTION_COLUMNS


def accounted_for(corpus, n_files: int) -> None:
    """Every discovered file is in exactly one of articles / errors."""
    article_paths = set(corpus.articles["path"])
    error_paths = set(corpus.errors.loc[corpus.errors["error"] != "metadata", "path"])
    assert not article_paths & error_paths
    assert len(corpus.articles) + (corpus.errors["error"] != "metadata").sum() == n_files


# ------------------------------------------------------------------ the reference article
def test_reference_article_parses_exactly(reference_article):
    corpus = load_corpus(reference_article)
    assert corpus.errors.empty
    row = corpus.articles.iloc[0]
    first_line = reference_article.read_text(encoding="utf-8").splitlines()[0]
    assert row["title"] == first_line.strip()
    assert row["risk_level"] == "Moderate"
    assert row["risk_label_raw"] == "Moderate Risk"
    assert list(corpus.sections["section"]) == list(SECTION_KEYS)
    assert list(corpus.sections["position"]) == [1, 2, 3, 4, 5, 6]
    assert corpus.risks["risk"].tolist() == [
        "infection transmission",
        "adverse immune reactions",
        "symptom exacerbation if donor selection is poor",
        "potential complications in immunocompromised patients",
    ]
    assert bool(row["has_disclaimer"]) is True
    assert row["risk_count"] == 4 and row["section_count"] == 6
    # about 760 words in the file, minus title, label, headings and disclaimer
    assert 600 < row["word_count"] < 760
    assert (corpus.sections.loc[corpus.sections["section"] != "health_risks", "word_count"]
            > 80).all()
    assert corpus.sections["paragraph_count"].tolist()[:5] == [2, 2, 2, 2, 2]


def test_reference_line_numbers_point_into_the_file(reference_article):
    corpus = load_corpus(reference_article)
    lines = reference_article.read_text(encoding="utf-8").splitlines()
    for s in corpus.sections.itertuples():
        assert lines[s.line - 1].strip() == s.heading
        assert s.text.splitlines()[0][:20] in lines[s.body_line - 1]
    for r in corpus.risks.itertuples():
        assert r.risk in lines[r.line - 1]
    row = corpus.articles.iloc[0]
    assert lines[row["disclaimer_line"] - 1].startswith("The information provided")


def test_frames_have_contract_dtypes(write):
    corpus = load_corpus(write("a.txt", article()).parent)
    for frame, columns in [(corpus.articles, ARTICLE_COLUMNS), (corpus.sections, SECTION_COLUMNS),
                           (corpus.risks, RISK_COLUMNS), (corpus.errors, ERROR_COLUMNS)]:
        for column, dtype in columns.items():
            assert frame[column].dtype == (pd.api.types.pandas_dtype(dtype)
                                           if isinstance(dtype, str) else dtype), column
    assert corpus.articles["risk_level"].cat.ordered
    assert list(corpus.articles["risk_level"].cat.categories) == ["Low", "Moderate", "High"]


# ------------------------------------------------------------------ drift
@pytest.mark.parametrize("variant", [
    {"newline": "\r\n"},
    {"bullet": "- "},
    {"bullet": "* "},
    {"bullet": "\t•\t"},
])
def test_drift_parses_like_the_clean_file(write, variant):
    clean = load_corpus(write("clean/a.txt", article()))
    drifted = load_corpus(write("drift/a.txt", article(**variant)))
    for frame in ("sections", "risks"):
        cols = ["section", "word_count"] if frame == "sections" else ["risk"]
        pd.testing.assert_frame_equal(getattr(clean, frame)[cols], getattr(drifted, frame)[cols])
    assert drifted.articles["has_disclaimer"].all()


def test_bom_curly_quotes_and_heading_case(write):
    text = article(sections=[("HOW IT WORKS", "It’s “gentle” on the body, people say. " * 12),
                             ("benefits for your health", "Fine. " * 70),
                             ("The  Science  Behind It", "Fine. " * 70)])
    corpus = load_corpus(write("a.txt", b"\xef\xbb\xbf" + text.encode()))
    assert corpus.articles["title"].iloc[0] == "Gentle Therapy for Testing"
    assert corpus.sections["section"].tolist() == ["how_it_works", "benefits", "science",
                                                   "health_risks"]
    assert "It's \"gentle\"" in corpus.sections["text"].iloc[0]


def test_aliases_come_from_the_styleguide(write, tmp_path):
    text = article(sections=[("Precautions", "Careful. " * 50)], risks=["x"])
    text = text.replace("Health Risks", "Side Effects")
    corpus = load_corpus(write("a.txt", text))
    assert corpus.sections["section"].tolist() == ["watch_out", "health_risks"]
    custom = tmp_path / "sg.yml"
    custom.write_text("template:\n  sections:\n"
                      + "".join(f"    - {{key: {k}, heading: {k}, aliases: [], min_words: 1, "
                                f"missing: warning}}\n" for k in SECTION_KEYS))
    corpus = load_corpus(tmp_path / "a.txt", styleguide=custom)
    assert corpus.sections["section"].isna().all()


def test_unknown_heading_is_its_own_section_not_merged(write):
    text = article(sections=[("How It Works", "Works. " * 70), ("The Research Corner", "R. " * 70),
                             ("Treatment Protocol", "P. " * 50)])
    corpus = load_corpus(write("a.txt", text))
    sections = corpus.sections
    assert sections["heading"].tolist()[:3] == ["How It Works", "The Research Corner",
                                                "Treatment Protocol"]
    assert pd.isna(sections["section"].iloc[1])
    assert "R." not in sections["text"].iloc[0]


def test_missing_label_and_unknown_label(write, tmp_path):
    missing = load_corpus(write("m/a.txt", article(label=None)))
    assert missing.articles["risk_level"].isna().all()
    assert missing.articles["risk_label_raw"].isna().all()
    assert missing.articles["intro"].iloc[0].startswith("This therapy")
    odd = load_corpus(write("o/a.txt", article(label="Medium-High Risk")))
    assert odd.articles["risk_level"].isna().all()
    assert odd.articles["risk_label_raw"].iloc[0] == "Medium-High Risk"


def test_missing_disclaimer_and_empty_risks(write):
    corpus = load_corpus(write("a.txt", article(disclaimer=None, risks=[])))
    row = corpus.articles.iloc[0]
    assert not row["has_disclaimer"] and row["risk_count"] == 0
    assert "health_risks" in corpus.sections["section"].tolist()


def test_markdown_and_html_exports(write):
    md = ("# Gentle Therapy\n\nLow Risk\n\nIntro paragraph with enough words in it.\n\n"
          "## How It Works\n\nIt works gently.\n\n## Health Risks\n\n- bruising\n- soreness\n\n"
          + HOUSE_DISCLAIMER + "\n")
    html = ("<!DOCTYPE html><html><head><title>x</title><script>var a=1;</script></head><body>\n"
            "<h1>Gentle Therapy</h1>\n<p class='risk'>Low Risk</p>\n<p>Intro words here.</p>\n"
            "<h2>How It Works</h2>\n<p>It works gently.</p>\n<h2>Health Risks</h2>\n"
            "<ul><li>bruising</li>\n<li>soreness</li></ul>\n<p>" + HOUSE_DISCLAIMER
            + "</p></body></html>")
    corpus = load_corpus([write("a.md", md), write("b.html", html)])
    assert corpus.errors.empty
    assert corpus.articles["format"].tolist() == ["markdown", "html"]
    assert corpus.articles["title"].tolist() == ["Gentle Therapy", "Gentle Therapy"]
    assert corpus.articles["risk_level"].tolist() == ["Low", "Low"]
    assert corpus.articles["has_disclaimer"].all()
    assert corpus.risks.groupby("article_id")["risk"].apply(list).to_dict() == {
        "a": ["bruising", "soreness"], "b": ["bruising", "soreness"]}
    assert corpus.risks.loc[corpus.risks["article_id"] == "b", "line"].tolist() == [8, 9]


# ------------------------------------------------------------------ bad files
@pytest.mark.parametrize("content, kind", [
    (b"", "empty"),
    (b"  \n\n \t", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not_text"),
    ("Café menu".encode("cp1252") + b"\n\nLow Risk\n", "encoding"),
    (b"How It Works\n\nStarts with a heading.\n", "no_title"),
    (b"  \xe2\x80\xa2 a bullet first\n", "no_title"),
])
def test_bad_file_becomes_an_error_row(write, content, kind):
    good = write("good.txt", article())
    bad = write("bad.txt", content)
    corpus = load_corpus(good.parent)
    assert corpus.articles["article_id"].tolist() == ["good"]
    assert corpus.errors["path"].tolist() == ["bad.txt"]
    assert corpus.errors["error"].tolist() == [kind]
    assert len(corpus.errors["message"].iloc[0]) > 10
    accounted_for(corpus, 2)
    del bad


def test_too_large_and_configurable_limit(write):
    path = write("big.txt", article())
    assert load_corpus(path, max_bytes=100).errors["error"].tolist() == ["too_large"]
    assert load_corpus(path).errors.empty


def test_duplicate_stem_is_an_error_not_an_overwrite(write, tmp_path):
    write("a/same.txt", article(title="First"))
    write("b/same.md", "# Second\n\nLow Risk\n\nIntro.\n")
    corpus = load_corpus(tmp_path)
    assert corpus.articles["title"].tolist() == ["First"]
    assert corpus.errors["error"].tolist() == ["duplicate_id"]
    assert "a/same.txt" in corpus.errors["message"].iloc[0]


def test_unreadable_file(write, monkeypatch):
    path = write("locked.txt", article())
    write("fine.txt", article())
    real_open = type(path).open

    def deny(self, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "open", deny)
    corpus = load_corpus(path.parent)
    assert corpus.errors["error"].tolist() == ["unreadable"]
    assert "Permission denied" in corpus.errors["message"].iloc[0]
    assert corpus.articles["article_id"].tolist() == ["fine"]


def test_symlink_loop_and_broken_link(write, tmp_path):
    write("sub/a.txt", article())
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    corpus = load_corpus(tmp_path)
    assert corpus.articles["article_id"].tolist() == ["a"]
    assert sorted(corpus.errors["error"]) == ["symlink_loop", "unreadable"]


def test_missing_source_raises_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="gone.txt"):
        load_corpus([tmp_path / "gone.txt"])


def test_parallel_load_equals_serial(write, tmp_path):
    for i in range(600):
        write(f"f{i:04d}.txt", article(title=f"Therapy {i}", risks=["a"] * (i % 5)))
    write("zz_bad.txt", b"\x00\x01")
    serial = load_corpus(tmp_path, jobs=1)
    parallel = load_corpus(tmp_path, jobs=2)
    for name in ("articles", "sections", "risks", "errors"):
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(parallel, name))


# ------------------------------------------------------------------ metadata
def test_metadata_is_merged_and_bad_dates_reported(write, tmp_path):
    write("a.txt", article())
    write("b.txt", article())
    meta = write("meta.csv", "article_id,category,author,published,last_reviewed\n"
                             "a,diet,Ana,2024-01-02,2025-03-04\nb,device,Ben,someday,\n")
    corpus = load_corpus([tmp_path / "a.txt", tmp_path / "b.txt"], metadata=meta)
    assert corpus.articles["category"].tolist() == ["diet", "device"]
    assert str(corpus.articles["last_reviewed"].iloc[0].date()) == "2025-03-04"
    assert corpus.errors["error"].tolist() == ["metadata"]
    assert "someday" in corpus.errors["message"].iloc[0]


# ------------------------------------------------------------------ property
_LINES = st.lists(st.one_of(
    st.sampled_from(["How It Works", "Health Risks", "  • risk", "- risk", "Moderate Risk", "",
                     "HEALTH RISKS", "Low", HOUSE_DISCLAIMER, "# Title", "## How It Works",
                     "<h2>Benefits</h2>", "<li>x</li>", "\ufeff", "\r"]),
    st.text(alphabet=string.printable + "•’“—é\u00a0", max_size=80),
), max_size=30)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_LINES.map("\n".join).map(str.encode), st.binary(max_size=300)),
                      min_size=1, max_size=4),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_loader_never_raises_and_accounts_for_every_file(tmp_path_factory, texts, suffix):
    folder = tmp_path_factory.mktemp("prop")
    for i, data in enumerate(texts):
        (folder / f"f{i}{suffix}").write_bytes(data)
    corpus = load_corpus(folder)
    accounted_for(corpus, len(texts))
    assert corpus.articles["article_id"].is_unique
