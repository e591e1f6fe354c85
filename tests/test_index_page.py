"""The index page's banner says what a run found, whatever --fail-on says."""

from __future__ import annotations

import re

import pytest

from stackwise_analysis.index_page import found_text, render_index


def _summary(exit_code: int, fail_on: str, **by_severity) -> dict:
    return {
        "run_id": "20261201T020000Z-ab12", "started": "2026-12-01T02:00:00+00:00",
        "duration_seconds": 12.5, "package_version": "0.0.0", "exit_code": exit_code,
        "fail_on": fail_on, "as_of": None,
        "corpus": {"source": "data/articles", "metadata": None, "styleguide": ["<package>"],
                   "fingerprint": "f00d", "articles": 44, "files_not_read": 2},
        "steps": {"load": 1.0}, "files": ["findings.xlsx"], "notebooks": [],
        "findings": {"total": sum(by_severity.values()), "by_severity": by_severity,
                     "by_audit": {}},
        "articles_by_status": {},
    }


def _banner(summary: dict) -> tuple[str, str]:
    match = re.search(r'<div class="verdict (\w+)">([^<]*)</div>', render_index(summary))
    return match.group(1), " ".join(match.group(2).split())


@pytest.mark.parametrize("fail_on", ["never", "blocker"])
def test_findings_are_named_even_when_the_run_does_not_fail_on_them(fail_on):
    kind, text = _banner(_summary(0, fail_on, blocker=0, warning=96, info=1))
    assert kind == "findings" and "Clean" not in text
    assert text.startswith("96 warnings and 1 info; this run does not fail on them")
    assert text.endswith("(exit code 0)")


def test_blockers_under_fail_on_never_are_not_a_green_clean():
    kind, text = _banner(_summary(0, "never", blocker=14, warning=0, info=0))
    assert (kind, text) == ("findings", "14 blockers; this run does not fail on them "
                                        "(--fail-on never). (exit code 0)")


def test_clean_only_when_nothing_was_found():
    assert _banner(_summary(0, "info", blocker=0, warning=0, info=0)) == (
        "ok", "Clean: no findings. (exit code 0)")


def test_a_failing_run_says_what_it_fails_on():
    kind, text = _banner(_summary(1, "warning", blocker=1, warning=2, info=3))
    assert kind == "findings"
    assert text.startswith("1 blocker, 2 warnings and 3 infos; this run fails on warning and "
                           "above")


def test_a_failed_notebook_still_says_what_the_audit_found():
    kind, text = _banner(_summary(3, "blocker", blocker=0, warning=1, info=0))
    assert kind == "failed" and "A notebook failed" in text and "found 1 warning." in text


def test_found_text_agrees_in_number_worst_first():
    assert found_text({"warning": 1, "blocker": 2}) == "2 blockers and 1 warning"
    assert found_text({"info": 0}) == "no findings"


def test_the_worst_articles_link_to_their_pages_escaped_and_the_cap_is_named():
    summary = _summary(0, "never", blocker=3, warning=1, info=0)
    summary["article_pages"] = {"written": 1, "flagged": 3, "left_out": 2, "limit": 1, "worst": [
        {"article_id": "a b#1", "title": "<script>alert(1)</script>", "blocker": 2,
         "warning": 0, "info": 0, "page": "articles/a b#1.html"},
        {"article_id": "z<i>", "title": None, "blocker": 1, "warning": 1, "info": 0,
         "page": None}]}
    html = render_index(summary)
    assert '<a href="articles/a%20b%231.html">a b#1</a>' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "z&lt;i&gt;" in html and "<i>" not in html
    assert "1 of 3 flagged articles have a review page" in html
    assert "2 flagged articles left out by the cap of 1 (--article-pages)" in html


def test_a_run_without_pages_shows_no_review_section():
    assert "Articles to review first" not in render_index(_summary(0, "never", blocker=1))
