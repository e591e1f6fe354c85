"""Bullets of an HTML article: an item's own text and the lists nested in it."""

from __future__ import annotations

from stackwise_analysis.html_export import article_blocks


def _bullets(body: str) -> list[str]:
    html = f"<html><body><article><h1>Cupping</h1>{body}</article></body></html>"
    blocks = article_blocks(html, is_label=lambda t: False, is_disclaimer=lambda t: False)
    return [text for kind, text, _ in blocks if kind == "bullet"]


def test_a_nested_list_is_its_own_bullets_and_leaves_the_item_whole():
    # the nested item repeats a word of its parent: only the nested list is taken out
    body = ("<h2>Health Risks</h2><ul><li>Stop if dizzy <b>or</b> faint"
            "<ul><li>dizzy</li><li>faint for long</li></ul> and rest</li></ul>")
    assert _bullets(body) == ["Stop if dizzy or faint and rest", "dizzy", "faint for long"]


def test_an_item_that_begins_with_its_nested_text_keeps_its_first_words():
    body = "<h2>Health Risks</h2><ul><li>rest, then rest<ul><li>rest</li></ul> well</li></ul>"
    assert _bullets(body) == ["rest, then rest well", "rest"]
