"""Article review pages: each flagged article as written, its findings highlighted in place."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from corpus_factory import make_corpus, spec

from stackwise_analysis import audit
from stackwise_analysis.excel import write_findings_xlsx
from stackwise_analysis.interactive import ReviewTables
from stackwise_analysis.pages import flagged_articles, place, write_article_pages
from stackwise_analysis.tables import article_table, findings_table
from stackwise_analysis.text.sentences import SentenceSplitter

AS_OF = dt.date(2026, 11, 24)
CLAIM = "Our partner clinic's signature drip is guaranteed to clear up eczema in a week."
#: A claim (so the article is flagged and the sentence quoted) carrying markup pasted in from
#: a web shop: it must reach every view as text.
HOSTILE = ('The Tonic<script>alert("x")</script> is guaranteed to work for everyone '
           '<img src=x onerror=alert(1)> every time.')
INTRO = ("Gentle stretching is studied as a way to ease stiff joints in older adults, and "
         "many physiotherapists suggest it between appointments (Lee et al., 2021). Most "
         "people can do it at home with no equipment. Talk to your doctor before you start.")


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """Four articles: a blocker claim, hostile markup and a formula-like title, a clean one,
    and one missing its science section; audited for real, pages written."""
    corpus = make_corpus(
        spec(article_id="claims", title="Vitamin Drips After a Late Night", intro=INTRO,
             sections={"benefits": "Many clients feel more awake afterwards. " + CLAIM}),
        spec(article_id="hostile <b>", title='=HYPERLINK("http://x.example","click me")',
             intro=INTRO + " " + HOSTILE),
        spec(article_id="clean", intro=INTRO),
        spec(article_id="gap", intro=INTRO, sections={"science": None}),
    )
    result = audit(corpus, as_of=AS_OF)
    folder = tmp_path_factory.mktemp("run")
    written = write_article_pages(folder, corpus, result, run_id="r1")
    return corpus, result, folder, written


# ------------------------------------------------------------------------------ placing
def test_a_finding_marks_exactly_the_sentence_it_quotes():
    text = "It helps some people. It is guaranteed to cure colds. Ask first."
    pieces = place(text, [{"evidence": "It is guaranteed to cure colds.", "severity": "blocker"}],
                   SentenceSplitter().spans(text))
    assert [(p.text, p.severity) for p in pieces] == [
        ("It helps some people. ", None), ("It is guaranteed to cure colds.", "blocker"),
        (" Ask first.", None)]


def test_evidence_that_is_no_sentence_marks_where_it_occurs_or_else_the_whole_line():
    text = "Dr. Lee says it works. Rest."
    spans = SentenceSplitter().spans(text)
    inside = place(text, [{"evidence": "it works", "severity": "info"}], spans)
    assert [p.text for p in inside if p.notes] == ["it works"]
    elsewhere = place(text, [{"evidence": "12.4", "severity": "warning"}], spans)
    assert [(p.text, p.severity) for p in elsewhere] == [(text, "warning")]


def test_findings_on_one_sentence_share_a_mark_of_the_worst_severity():
    text = "It cures colds, guaranteed. Rest."
    findings = [{"evidence": "It cures colds, guaranteed.", "severity": "info"},
                {"evidence": "It cures colds, guaranteed.", "severity": "blocker"},
                {"evidence": "cures colds", "severity": "warning"}]
    marked = [p for p in place(text, findings, SentenceSplitter().spans(text)) if p.notes]
    assert len(marked) == 1
    assert marked[0].severity == "blocker" and len(marked[0].notes) == 3


# ------------------------------------------------------------------------------ pages
def test_every_flagged_article_has_a_page_and_no_other(reviewed):
    _, result, folder, written = reviewed
    flagged = flagged_articles(result.scorecard).tolist()
    assert "clean" not in flagged and {"claims", "gap"} <= set(flagged)
    assert list(written.pages) == flagged
    assert sorted(p.name for p in (folder / "articles").iterdir()) == sorted(
        f"{i}.html" for i in flagged)
    assert written.left_out == 0


def test_the_claim_sentence_is_highlighted_as_a_blocker_with_its_rule_beside_it(reviewed):
    _, result, folder, _ = reviewed
    page = _soup(folder / "articles" / "claims.html")
    marks = page.select("mark.sev-blocker")
    assert [m.get_text().startswith(CLAIM) for m in marks] == [True]
    claim = result.findings.query("article_id == 'claims' and severity == 'blocker'")
    notes = page.select(".margin .note.sev-blocker")
    assert {n.code.get_text() for n in notes} == set(claim["check"])
    assert any("Read more" in n.get_text() and n.a["href"].startswith("https://")
               for n in notes)
    # the mark's number leads to its note
    target = marks[0].sup.a["href"].lstrip("#")
    assert page.find(id=target) in notes


def test_article_level_findings_stand_in_the_box_at_the_top(reviewed):
    _, _, folder, _ = reviewed
    box = _soup(folder / "articles" / "gap.html").select_one(".article-findings")
    assert "completeness.missing_section" in box.get_text()
    assert "The Science Behind It" in box.get_text()


def test_the_page_shows_the_article_in_order_with_bullets_and_section_grades(reviewed):
    corpus, _, folder, _ = reviewed
    page = _soup(folder / "articles" / "claims.html")
    for extra in page.select(".part-grade, sup"):  # a heading's grade and note numbers
        extra.decompose()
    headings = [h.get_text(strip=True) for h in page.select("h2")
                if not h.find_parent(class_="box")]
    expected = corpus.sections.query("article_id == 'claims'")["heading"].tolist()
    assert headings == expected
    bullets = [b.get_text(strip=True).lstrip("•").strip() for b in page.select("p.bullet")]
    assert bullets == corpus.risks.query("article_id == 'claims'")["risk"].tolist()
    assert page.select_one("p.disclaimer").get_text().startswith("The information provided")
    grades = {r.td.get_text(): r.select("td")[1].get_text() for r in page.select(".grades tr")
              if r.td}
    assert "whole article" in grades and float(grades["Benefits For Your Health"]) > 0


def test_hostile_article_text_is_shown_as_text_never_run(reviewed):
    _, _, folder, written = reviewed
    page = _soup(folder / written.pages["hostile <b>"])
    assert page.find("script") is None and page.find("img") is None
    assert page.find("b") is None  # the id's markup is escaped too
    marked = page.select_one("mark.sev-blocker").get_text()
    assert '<script>alert("x")</script>' in marked and "<img src=x onerror=alert(1)>" in marked
    assert page.h1.get_text().startswith("=HYPERLINK(")


def test_previous_and_next_links_follow_the_worst_first_order(reviewed):
    _, _, folder, written = reviewed
    order = list(written.pages)
    for at, article_id in enumerate(order):
        page = _soup(folder / written.pages[article_id])
        previous, following = page.select_one("a[rel=prev]"), page.select_one("a[rel=next]")
        assert (previous is None) == (at == 0)
        assert (following is None) == (at == len(order) - 1)
        if following is not None:
            assert unquote(following["href"]) == f"{order[at + 1]}.html"
            assert (folder / "articles" / unquote(following["href"])).is_file()
        assert page.select_one('a[href="../index.html"]') is not None


def test_the_cap_writes_the_worst_pages_and_counts_the_rest(reviewed, tmp_path):
    corpus, result, _, _ = reviewed
    written = write_article_pages(tmp_path, corpus, result, limit=1)
    flagged = flagged_articles(result.scorecard)
    assert list(written.pages) == [flagged[0]]
    assert written.left_out == len(flagged) - 1 > 0
    assert len(list((tmp_path / "articles").iterdir())) == 1
    with pytest.raises(ValueError, match="limit"):
        write_article_pages(tmp_path, corpus, result, limit=-1)


# ------------------------------------------------------------------------------ tables
def test_hostile_text_is_text_in_the_workbook_and_the_interactive_tables(reviewed, tmp_path):
    corpus, result, folder, written = reviewed
    path = write_findings_xlsx(tmp_path / "findings.xlsx", result.findings,
                               articles=article_table(corpus, result.scorecard),
                               pages=written.pages)
    book = openpyxl.load_workbook(path)
    titles = [row for row in book["Articles"].iter_rows(min_row=2)
              if row[0].value == "hostile <b>"]
    title = titles[0][[c.value for c in book["Articles"][1]].index("title")]
    assert title.value.startswith("=HYPERLINK(") and title.data_type == "s"
    evidence = pd.read_excel(path, sheet_name="compliance")["evidence"].dropna()
    assert evidence.str.contains('<script>alert("x")</script>', regex=False).any()
    # an article id with a page links there, relative to the workbook (Excel writes a
    # relative link with backslashes)
    links = {c.value: c.hyperlink.target for row in book["compliance"].iter_rows(min_row=2)
             for c in row[:1] if c.hyperlink is not None}
    assert set(links) == {"claims", "hostile <b>", "gap"}
    assert all(unquote(t).replace("\\", "/") == written.pages[i] for i, t in links.items())

    html = ReviewTables(written.pages).html(findings_table(result.findings))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_interactive_tables_link_only_articles_that_have_a_page(reviewed):
    _, result, folder, written = reviewed
    review = ReviewTables.beside(folder / "snapshot")
    assert set(review.pages) == set(written.pages)
    html = review.html(result.scorecard[["article_id", "blocker"]])
    assert "articles/claims.html" in html and "articles/gap.html" in html
    assert "articles/clean.html" not in html
