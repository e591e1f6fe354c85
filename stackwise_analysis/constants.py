"""Names defined once: canonical section keys, risk levels, severities, audits."""

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

#: The four audits, in report order.
AUDITS: tuple[str, ...] = ("risk", "completeness", "readability", "compliance")

RISK_DTYPE = pd.CategoricalDtype(list(RISK_LEVELS), ordered=True)
SEVERITY_DTYPE = pd.CategoricalDtype(list(SEVERITIES), ordered=True)
SECTION_DTYPE = pd.CategoricalDtype(list(SECTION_KEYS), ordered=True)
AUDIT_DTYPE = pd.CategoricalDtype(list(AUDITS), ordered=False)

#: Opening words of the house medical disclaimer; a paragraph starting so is the disclaimer.
DISCLAIMER_PREFIX = "The information provided by Stackwise is for informational purposes only"

#: File extensions the loader reads, mapped to the reader that parses them.
READERS: dict[str, str] = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                           ".html": "html", ".htm": "html", ".json": "json",
                           ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Readers of files that hold many articles (a CMS dump), one per record.
DUMP_READERS: tuple[str, ...] = ("json", "jsonl")
