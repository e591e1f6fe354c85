"""An article of very many lines: units unchanged by the one-pass split, memory linear."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO, SAMPLE_ARTICLES
from stackwise_analysis import load_corpus
from stackwise_analysis.audits.units import _lines


def _reference_lines(frame: pd.DataFrame, text: str, first_line: str) -> list[tuple]:
    """The definition, one row at a time: every non-blank line with its source line."""
    rows = []
    for record in frame.to_dict("records"):
        body, first = record[text], record[first_line]
        if pd.isna(first) or pd.isna(body) or body == "":
            continue
        for offset, line in enumerate(body.split("\n")):
            if line.strip():
                rows.append((record["article_id"], int(first) + offset, line))
    return rows


def _as_rows(lines: pd.DataFrame) -> list[tuple]:
    return [(a, int(n), t) for a, n, t in zip(lines["article_id"], lines["line"], lines["text"],
                                               strict=True)]


@pytest.mark.parametrize(("frame_name", "text", "first_line"),
                         [("articles", "intro", "intro_line"), ("sections", "text", "body_line")])
def test_line_units_of_the_sample_corpus_match_the_definition(frame_name, text, first_line):
    frame = getattr(load_corpus(SAMPLE_ARTICLES), frame_name)
    lines = _lines(frame, text, first_line)
    assert _as_rows(lines) == _reference_lines(frame, text, first_line)
    assert len(lines) > len(frame)  # the sample has multi-line units, so this tests splitting


def test_line_units_keep_the_other_columns_and_skip_blank_lines():
    frame = pd.DataFrame({
        "article_id": ["a", "b", "c", "d", "e"],
        "heading": ["How It Works", "Health Risks", "Benefits", "Protocol", "Science"],
        "text": ["Rest first.\n\n  \nThen walk.", "\u2022 sore calves\n\u2022 cramps\n",
                 "", None, "Cold  water.\u00a0\n\u00a0\n\tNo tabs?"],
        "body_line": pd.array([3, 10, 12, 14, None], dtype="Int64"),
    }).astype({"article_id": "string", "heading": "string", "text": "string"})
    lines = _lines(frame, "text", "body_line")
    assert _as_rows(lines) == _reference_lines(frame, "text", "body_line")
    assert _as_rows(lines) == [("a", 3, "Rest first."), ("a", 6, "Then walk."),
                               ("b", 10, "\u2022 sore calves"), ("b", 11, "\u2022 cramps")]
    assert lines["heading"].tolist() == ["How It Works"] * 2 + ["Health Risks"] * 2


def test_no_lines_gives_an_empty_table():
    frame = pd.DataFrame({"article_id": ["a"], "intro": [""],
                          "intro_line": pd.array([None], dtype="Int64")})
    assert _lines(frame, "intro", "intro_line").empty


def _measure_in_subprocess(lines: int, tmp_path) -> dict:
    """Load and audit an article of ``lines`` one-letter lines in a fresh interpreter capped
    at 3 GB of address space (so a regression fails here instead of exhausting the machine),
    and return its peak resident memory and what it produced."""
    script = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(REPO / 'benchmarks')!r})\n"
        "from pathlib import Path\n"
        "from bench_long_lines import measure, write_article\n"
        f"path = write_article(Path({str(tmp_path)!r}), {lines}, 'intro')\n"
        "print(json.dumps({**measure(path), 'bytes': path.stat().st_size}))\n"
    )

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          preexec_fn=cap, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_million_line_article_audits_in_under_a_gigabyte(tmp_path):
    figures = _measure_in_subprocess(1_000_000, tmp_path)
    assert figures["bytes"] <= 2_000_000  # within the default size limit, so it is audited
    assert figures["articles"] == 1 and figures["errors"] == 0
    assert figures["readability_rows"] == 2  # the article and its intro
    assert figures["peak_mb"] < 1024
