"""Sentence boundaries: each rule both ways, the labelled paragraphs, one splitter everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stackwise_analysis.styleguide import Styleguide, load_styleguide
from stackwise_analysis.text.counts import UnitCounter
from stackwise_analysis.text.sentences import SentenceSplitter, split_sentences

SETS = Path(__file__).parent / "data" / "sentences"


@pytest.mark.parametrize(("text", "expected"), [
    # a stop before a capital ends a sentence, whatever the words
    ("Take 2 tablets. Then rest.", ["Take 2 tablets.", "Then rest."]),
    ("take it daily. it helps.", ["take it daily.", "it helps."]),
    # Latin abbreviations and titles never end one
    ("Use a mild herb, e.g. Mint or sage.", ["Use a mild herb, e.g. Mint or sage."]),
    ("Ask Dr. Patel or Prof. Ruiz first.", ["Ask Dr. Patel or Prof. Ruiz first."]),
    ("St. John's wort interacts with the pill.", ["St. John's wort interacts with the pill."]),
    ("Compare A vs. B daily. Then decide.", ["Compare A vs. B daily.", "Then decide."]),
    # units, months, "etc." and "et al." end one only before a capital
    ("Mix 2 tsp. into water. Drink.", ["Mix 2 tsp. into water.", "Drink."]),
    ("Mix in 2 tsp. Then drink.", ["Mix in 2 tsp.", "Then drink."]),
    ("Smith et al. (2019) saw less pain.", ["Smith et al. (2019) saw less pain."]),
    ("It was shown by Smith et al. Later work failed.",
     ["It was shown by Smith et al.", "Later work failed."]),
    ("Zinc, copper, etc. are minerals.", ["Zinc, copper, etc. are minerals."]),
    ("Zinc, copper, etc. Both are minerals.", ["Zinc, copper, etc.", "Both are minerals."]),
    ("The trial ran from Jan. 2020 to Mar. 2021.",
     ["The trial ran from Jan. 2020 to Mar. 2021."]),
    # initialisms: a name follows, or a new sentence does
    ("The U.S. Food and Drug Administration warned.",
     ["The U.S. Food and Drug Administration warned."]),
    ("It is sold in the U.S. It is not sold here.",
     ["It is sold in the U.S.", "It is not sold here."]),
    ("Take it at 7:30 a.m. daily.", ["Take it at 7:30 a.m. daily."]),
    ("Take it at 7:30 a.m. Then eat.", ["Take it at 7:30 a.m.", "Then eat."]),
    # initials do not end one; a letter that names something can
    ("The study by J. R. Smith found little.", ["The study by J. R. Smith found little."]),
    ("It is rich in vitamin D. Take it daily.", ["It is rich in vitamin D.", "Take it daily."]),
    # decimals, thousands, ratios and times never split
    ("Take 2.5 mg of it. Mix 1,000 IU at a 1:10 ratio.",
     ["Take 2.5 mg of it.", "Mix 1,000 IU at a 1:10 ratio."]),
    # ellipses end a sentence only before a capital
    ("It helps... Sometimes.", ["It helps...", "Sometimes."]),
    ("It helps... sometimes.", ["It helps... sometimes."]),
    ("It helps\u2026 Then it fades.", ["It helps\u2026", "Then it fades."]),
    # closing quotes and brackets stay with the sentence they close
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("Rest (at least a day.) Then walk.", ["Rest (at least a day.)", "Then walk."]),
    ("It shortened colds.[3] Side effects were mild.",
     ["It shortened colds.[3]", "Side effects were mild."]),
    # question and exclamation marks end one unless a lower-case word follows
    ("Is it safe? Mostly! Ask first.", ["Is it safe?", "Mostly!", "Ask first."]),
    ("Does it work? yes, a little.", ["Does it work? yes, a little."]),
    # a stretch without letters is no sentence: an inline list number joins the next one
    ("1. Mix the powder. 2. Drink it.", ["1. Mix the powder.", "2. Drink it."]),
    ("It works. :)", ["It works. :)"]),
    # a line ends a sentence
    ("Directions\nTake one daily", ["Directions", "Take one daily"]),
])
def test_rules_both_ways(text, expected):
    assert split_sentences(text) == expected


def _labelled(name: str) -> list[dict]:
    return yaml.safe_load((SETS / f"{name}.yml").read_text("utf-8"))["paragraphs"]


def _flat(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences]


@pytest.mark.parametrize("name", ["tuning", "heldout"])
def test_labelled_paragraphs_get_their_sentence_count(name, capsys):
    paragraphs = _labelled(name)
    assert len(paragraphs) >= (60 if name == "tuning" else 30)
    misses = [(p["id"], _flat(split_sentences(p["text"])), _flat(p["sentences"]))
              for p in paragraphs]
    misses = [m for m in misses if len(m[1]) != len(m[2])]
    right = 1 - len(misses) / len(paragraphs)
    with capsys.disabled():
        print(f"\n{name}: {right:.1%} of {len(paragraphs)} paragraphs split right")
        for pid, got, want in misses:
            print(f"  miss {pid}: got {len(got)}, want {len(want)}: {got}")
    assert right >= 0.95


def test_the_counter_and_the_splitter_agree_on_every_labelled_paragraph():
    counter = UnitCounter()
    for p in _labelled("tuning") + _labelled("heldout"):
        sentences = split_sentences(p["text"])
        row = counter.count(p["text"])
        assert row["sentences"] == len(sentences), p["id"]
        words = [counter.count(s)["words"] for s in sentences]
        assert row["longest_sentence_words"] == max(words), p["id"]
        assert row["longest_sentence"] == sentences[words.index(max(words))], p["id"]


def test_a_style_guide_adds_abbreviations():
    text = "Take the tinct. Twice a day is enough."
    assert split_sentences(text) == ["Take the tinct.", "Twice a day is enough."]
    sg = load_styleguide()
    ours = Styleguide(data={**sg.data, "sentences": {"abbreviations": {
        "never_end": ["Tinct."], "may_end": [], "sentence_openers": [], "letter_names": []}}})
    assert split_sentences(text, ours) == [text]


def test_spans_point_into_the_text():
    text = "  Rest.  Then   walk (slowly)!\nDone"
    spans = SentenceSplitter().spans(text)
    assert [text[a:b] for a, b in spans] == ["Rest.", "Then   walk (slowly)!", "Done"]


def test_one_text_and_the_array_form_cut_alike():
    import numpy as np

    from stackwise_analysis.text.sentences import boundaries, boundaries_of_one

    split = SentenceSplitter()
    texts = [p["text"] for p in _labelled("tuning") + _labelled("heldout")] + [
        "1. Mix. 2. Drink it.", "It works. :)", "No. 5 is best. No. It is not.", "?!", "",
        "Rich in vitamin D. Take it.\nDone", "vitamin D. Take it."]
    for text in texts:
        tokens = text.replace("\n", " \n ").split(" ")
        tokens = [t for t in tokens if t.strip()]
        if not tokens:
            continue
        codes = [split.code(t) for t in tokens]
        last = [False] * (len(tokens) - 1) + [True]
        assert boundaries_of_one(codes, last) == np.flatnonzero(
            boundaries(np.array(codes), np.array(last))).tolist(), text
