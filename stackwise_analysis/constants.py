"""Names defined once: section keys, risk levels, severities, audits, exit codes."""

from __future__ import annotations

import pandas as pd

#: Canonical section keys of the house template, in house order.
SECTION_KEYS: tuple[str, ...] = (
    "how_it_works",
    "benefits",
    "science",
    "protocol",
    "watch_out",
    "health_risks",
)

#: Risk levels, least to most serious.
RISK_LEVELS: tuple[str, ...] = ("Low", "Moderate", "High")

#: Finding severities, least to most serious.
SEVERITIES: tuple[str, ...] = ("info", "warning", "blocker")

#: The four audits, in report order, then ``review``: findings about reviewers' decisions
#: (an expired or stale waiver), made by a report run, not by an audit of the corpus.
AUDITS: tuple[str, ...] = ("risk", "completeness", "readability", "compliance", "review")

#: What ``--fail-on`` accepts: a severity, or never fail on findings.
FAIL_ON: tuple[str, ...] = (*SEVERITIES, "never")

#: Exit codes of the command line and of a report run: clean, findings at or above
#: ``--fail-on``, bad usage or input, a notebook failed.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_NOTEBOOK = 0, 1, 2, 3

RISK_DTYPE = pd.CategoricalDtype(list(RISK_LEVELS), ordered=True)
SEVERITY_DTYPE = pd.CategoricalDtype(list(SEVERITIES), ordered=True)

#: The group, or risk level, of rows with no value in summary tables: no label, no category.
NONE = "(none)"

#: The score column grade findings and tables use when a style guide names none.
DEFAULT_GRADE_METRIC = "flesch_kincaid_grade"

#: Opening words of the house medical disclaimer; a paragraph starting so is the disclaimer.
DISCLAIMER_PREFIX = "The information provided by Stackwise is for informational purposes only"

#: File extensions the loader reads, mapped to the reader that parses them.
READERS: dict[str, str] = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                           ".html": "html", ".htm": "html", ".json": "json",
                           ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Readers of files that hold many articles (a CMS dump), one per record.
DUMP_READERS: tuple[str, ...] = ("json", "jsonl")

#: Review pages a report run writes at most (``--article-pages``), worst article first.
DEFAULT_ARTICLE_PAGES = 2000
