"""The text the audits read, cut two ways, and the house sentence splitter.

``section_bodies`` cuts a corpus into whole bodies (each intro and section body as one text:
what the compliance and risk audits scan for phrases); ``prose_lines`` cuts it into lines a
reader reads (intro paragraphs, each section's heading and its lines, the disclaimer: what
the readability audit counts).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..claims import Splitter, as_arrow
from ..columns import positions
from ..corpus import Corpus
from ..text.sentences import splitter_of

#: Columns of ``section_bodies``.
BODY_COLUMNS = {"article_id": "string", "section": "string", "text": "string", "line": "Int64",
                "by_line": "bool"}
#: Columns of ``prose_lines``.
LINE_COLUMNS = {"article_id": "string", "scope": "string", "position": "Int64",
                "section": "string", "heading": "string", "line": "Int64", "text": "string",
                "is_heading": "bool"}
_SCOPE_ORDER = {"intro": 0, "section": 1, "disclaimer": 2}


def sentence_splitter(sg: Mapping) -> Splitter:
    """The house sentence splitter, with the style guide's extra abbreviations."""
    return splitter_of(sg).sentences


def section_bodies(corpus: Corpus) -> pd.DataFrame:
    """The prose an audit scans: each intro and section body with the line it starts on.

    One row per non-empty body: ``article_id``, ``section`` (canonical key, NA for the intro
    and unknown headings), ``text``, ``line`` (source line of the text's first line) and
    ``by_line`` (True for Health Risks, whose lines are bullets). The disclaimer is never
    part of it.

    Examples
    --------
    >>> bodies = section_bodies(corpus)
    >>> bodies.loc[bodies["by_line"], "section"].unique().tolist()
    ['health_risks']
    """
    articles, sections = corpus.articles, corpus.sections
    intro = pd.DataFrame({
        "article_id": articles["article_id"],
        "section": pd.Series(pd.NA, index=articles.index, dtype="string"),
        "text": articles["intro"],
        "line": articles["intro_line"],
        "by_line": False,
    })
    bodies = pd.DataFrame({
        "article_id": sections["article_id"],
        "section": sections["section"],
        "text": sections["text"],
        "line": sections["body_line"],
        "by_line": (sections["section"] == "health_risks").fillna(False),
    })
    units = pd.concat([intro.astype(BODY_COLUMNS), bodies.astype(BODY_COLUMNS)],
                      ignore_index=True)
    units = units[units["text"].str.strip().str.len().fillna(0) > 0].reset_index(drop=True)
    # One contiguous text column: every regex pass over it then runs without copying.
    units["text"] = pd.arrays.ArrowStringArray(as_arrow(units["text"]))
    return units


def _lines(frame: pd.DataFrame, text: str, first_line: str) -> pd.DataFrame:
    """One row per non-blank line of ``frame[text]``, numbered from ``frame[first_line]``.

    Built in one pass: the other columns are repeated by position and never ``frame[text]``
    itself, so a text of n lines costs O(n), not n copies of itself (issue 11).
    """
    frame = frame[frame[first_line].notna() & (frame[text].fillna("") != "")]
    split = pc.split_pattern(pa.array(frame[text], type=pa.large_string()), "\n")
    counts = pc.list_value_length(split).to_numpy(zero_copy_only=False).astype(np.int64)
    owner = np.repeat(np.arange(len(frame)), counts)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    lines = frame.drop(columns=text).iloc[owner]
    lines["text"] = pd.arrays.ArrowStringArray(split.flatten())
    lines["line"] = frame[first_line].to_numpy(dtype=np.int64)[owner] + within
    return lines[lines["text"].str.strip() != ""]


def prose_lines(corpus: Corpus) -> pd.DataFrame:
    """Every line a reader reads, in document order: intro paragraphs, each section's heading
    and its paragraphs or bullet lines, and the disclaimer (title and label are not prose).

    Columns: ``article_id``, ``scope`` (``intro`` / ``section`` / ``disclaimer``),
    ``position`` (the section's position), ``section``, ``heading``, ``line``, ``text`` and
    ``is_heading`` (the line is a section's heading).

    Examples
    --------
    >>> lines = prose_lines(corpus)
    >>> lines["scope"].unique().tolist()
    ['intro', 'section', 'disclaimer']
    """
    articles, sections = corpus.articles, corpus.sections
    intro = _lines(articles[["article_id", "intro", "intro_line"]], "intro", "intro_line")
    headings = sections.assign(text=sections["heading"], is_heading=True)
    bodies = _lines(sections, "text", "body_line")
    disclaimer = articles[articles["has_disclaimer"]].rename(
        columns={"disclaimer": "text", "disclaimer_line": "line"})
    units = pd.concat([intro.assign(scope="intro"), headings.assign(scope="section"),
                       bodies.assign(scope="section"), disclaimer.assign(scope="disclaimer")],
                      ignore_index=True)
    units = units.reindex(columns=list(LINE_COLUMNS)).fillna({"is_heading": False})
    units = units.astype(LINE_COLUMNS)
    rank = positions(units["article_id"], articles["article_id"])
    # by section, then line: an HTML page or a dump record does not keep a section's lines
    # consecutive in the file (a record is one line), so line alone could interleave parts
    order = np.lexsort((units["line"].fillna(0).to_numpy(),
                        units["position"].fillna(0).to_numpy(),
                        units["scope"].map(_SCOPE_ORDER).to_numpy(), rank))
    return units.iloc[order].reset_index(drop=True)


def first_section(sections: pd.DataFrame, key: str) -> pd.DataFrame:
    """The first section with canonical ``key`` per article, indexed by article_id.

    >>> first_section(corpus.sections, "health_risks").index.is_unique
    True
    """
    rows = sections[sections["section"] == key].sort_values(["article_id", "position"])
    return rows.drop_duplicates("article_id").set_index("article_id")
