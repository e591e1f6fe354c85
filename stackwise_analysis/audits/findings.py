"""The one findings table every audit writes: its columns, dtypes and row builders."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..constants import AUDITS, SEVERITY_DTYPE

FINDINGS_COLUMNS: dict[str, Any] = {
    "article_id": "string",
    "audit": "string",
    "check": "string",
    "severity": SEVERITY_DTYPE,
    "section": "string",
    "message": "string",
    "evidence": "string",
    "line": "Int64",
    "finding_id": "string",
}
#: Hex digits of a ``finding_id`` (64 bits: no clash to expect among millions of findings).
FINDING_ID_LENGTH = 16
#: How long evidence may be in a view that shortens it (the findings table keeps it whole).
MAX_EVIDENCE = 200
_FORMATTER = string.Formatter()


def shorten(text: str, limit: int = MAX_EVIDENCE) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters with an ellipsis.

    >>> shorten("a  very   long text", 10)
    'a very lo…'
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def empty_findings() -> pd.DataFrame:
    """A findings table with no rows and the contract's dtypes."""
    return _EMPTY.copy()


# Built once: every rule that finds nothing asks for one, dozens of times per chunk.
_EMPTY = pd.DataFrame({c: pd.Series(dtype=t) for c, t in FINDINGS_COLUMNS.items()})


def make_findings(rows: Iterable[Mapping | pd.DataFrame], *, audit: str | None = None
                  ) -> pd.DataFrame:
    """Build a typed findings table from dicts and/or partial DataFrames.

    Missing columns are NA; ``audit`` fills the audit column where a row leaves it out.

    Examples
    --------
    >>> make_findings([{"article_id": "a", "check": "risk.missing_label",
    ...                 "severity": "blocker", "message": "No label."}], audit="risk").shape
    (1, 9)
    """
    frames = []
    records = []
    for row in rows:
        if isinstance(row, pd.DataFrame):
            if len(row):
                frames.append(row)
        else:
            records.append(dict(row))
    if records:
        frames.append(pd.DataFrame.from_records(records))
    if not frames:
        return empty_findings()
    table = pd.concat(frames, ignore_index=True)
    for column in FINDINGS_COLUMNS:
        if column not in table.columns:
            table[column] = pd.NA
    if audit is not None:
        if audit not in AUDITS:
            raise ValueError(f"unknown audit {audit!r}")
        table["audit"] = table["audit"].fillna(audit)
    table = table[list(FINDINGS_COLUMNS)].astype(FINDINGS_COLUMNS)
    # Evidence is kept whole, on one line: most is flat already, so only the rows a regex
    # over the column selects go through Python.
    evidence = table["evidence"]
    flat = pa.array(evidence.to_numpy(dtype=object, na_value=None), type=pa.large_string())
    needs = pc.match_substring_regex(flat, r"\s\s|[\t\n\r]")
    needs = needs.fill_null(False).to_numpy(zero_copy_only=False)
    if needs.any():
        table.loc[needs, "evidence"] = [" ".join(v.split()) for v in evidence[needs]]
    missing = table["finding_id"].isna().to_numpy()
    if missing.any():  # ids the parts brought along (an audit's own table) are kept
        table.loc[missing, "finding_id"] = finding_ids(table[missing])
    return table


def concat_findings(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Join findings tables that ``make_findings`` built (typed, evidence flat, ids set):
    what ``make_findings`` would give for them, without doing its work over again.

    >>> concat_findings([empty_findings(), empty_findings()]).shape
    (0, 9)
    """
    frames = [table for table in tables if len(table)]
    return pd.concat(frames, ignore_index=True) if frames else empty_findings()


#: Evidence that is a measured value: a number (count, grade, date), then at most three
#: words ("2 listed", "0 health risks listed", "11.5", "2022-03-01").
_MEASURE = r"^[-+]?\d[\d.,:/-]*%?(?: [^\W\d_]+){0,3}$"
_SEPARATOR = "\x1f"


def normalise_evidence(evidence: pd.Series) -> pa.Array:
    """Evidence as a finding's identity reads it (vectorised, in Arrow).

    Unicode NFKC, lower case, curly quotes and dashes made plain, runs of white space one
    space, no space at either end and no full stop or ellipsis at the end; a measured value
    (a number and at most three words, e.g. ``2 listed``) has its digits replaced by ``#``,
    so that the finding "too few risks" stays one finding whether the article lists none or
    two. Missing is ``""``.

    >>> normalise_evidence(pd.Series(["  It  “cures” pain…", "2 listed", None])).to_pylist()
    ['it "cures" pain', '# listed', '']
    """
    # evidence repeats (headings, counts, missing): normalise each distinct value once
    encoded = _arrow_text(evidence).dictionary_encode()
    return _normalised(encoded.dictionary).take(encoded.indices)


def _arrow_text(column: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array, missing values as ``""`` (string
    columns backed by Arrow convert without a copy)."""
    try:
        text = pa.array(column)
    except (pa.ArrowException, TypeError, ValueError):
        text = pa.array(column.to_numpy(dtype=object, na_value=None))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if not pa.types.is_large_string(text.type):
        text = text.cast(pa.large_string())
    return text.fill_null("")


def _normalised(text: pa.Array) -> pa.Array:
    text = pc.utf8_lower(pc.utf8_normalize(text, "NFKC"))
    for pattern, plain in ((r"[‘’‚‛′`]", "'"), (r"[“”„‟″]", '"'),
                           (r"[‐‑‒–—―−]", "-"), (r"\s+", " ")):
        text = pc.replace_substring_regex(text, pattern, plain)
    text = pc.utf8_rtrim(pc.utf8_trim(text, " "), " .…")  # NFKC made "…" three dots
    measured = pc.match_substring_regex(text, _MEASURE)
    masked = pc.replace_substring_regex(text, r"\d+", "#")
    return pc.if_else(measured, masked, text)


def finding_ids(findings: pd.DataFrame) -> pd.Series:
    """The stable identity of each finding: a 16-digit hex digest, the same in every run
    while the finding is the same.

    The rule: BLAKE2b (8-byte digest) of the UTF-8 text ``article_id``, ``check``,
    ``section`` and the normalised evidence (``normalise_evidence``), joined by the unit
    separator U+001F, missing values as empty text. The line number is never part of it:
    an edit above a finding moves its line, not its identity. Two findings of one check
    in one section with different evidence are two ids. When the same evidence is found
    more than once in one article (a sentence written twice), the repeats, in line order,
    get ``U+001F#2``, ``U+001F#3``… appended before hashing, so ids stay unique in a run.

    Vectorised: the text is built in Arrow and each distinct text hashed once.

    Examples
    --------
    >>> rows = pd.DataFrame({"article_id": ["a", "b"], "check": ["risk.understated"] * 2,
    ...                      "section": [None, None], "evidence": ["Cures  ALL.", "cures all"],
    ...                      "line": [3, 9]})
    >>> ids = finding_ids(rows)
    >>> ids.str.len().tolist(), ids[0] == finding_ids(rows.assign(line=[40, 9]))[0]
    ([16, 16], True)
    """
    n = len(findings)
    if n == 0:
        return pd.Series([], index=findings.index, dtype="string")
    parts = [_arrow_text(findings[c]) for c in ("article_id", "check", "section")]
    text = pc.binary_join_element_wise(*parts, normalise_evidence(findings["evidence"]),
                                       pa.scalar(_SEPARATOR, pa.large_string()))
    encoded = text.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    keys = encoded.dictionary.to_pylist()
    repeat = (np.zeros(n, dtype=np.int64) if len(keys) == n  # every text distinct: no repeat
              else _repeat_numbers(codes, findings["line"]))
    if repeat.any():  # rare: give each repeat its own text, then hash those too
        rows = np.flatnonzero(repeat)
        extra = [f"{keys[codes[r]]}{_SEPARATOR}#{repeat[r] + 1}" for r in rows]
        codes = codes.copy()
        codes[rows] = np.arange(len(keys), len(keys) + len(rows))
        keys = keys + extra
    digests = np.array([hashlib.blake2b(k.encode(), digest_size=FINDING_ID_LENGTH // 2
                                        ).hexdigest() for k in keys], dtype=object)
    return pd.Series(digests[codes], index=findings.index, dtype="string")


def _repeat_numbers(codes: np.ndarray, line: pd.Series) -> np.ndarray:
    """For each row, how many rows with the same code come before it in line order (0 for
    the first, which is nearly every row)."""
    lines = pd.array(line, dtype="Int64").to_numpy(dtype="float64", na_value=np.inf)
    order = np.lexsort((np.arange(len(codes)), lines, codes))
    ordered = codes[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(codes)), 0))
    repeat = np.empty(len(codes), dtype=np.int64)
    repeat[order] = np.arange(len(codes)) - group_start
    return repeat


PLURAL = "plural:"


def plural(count: Any, spec: str) -> str:
    """The word of a ``{count:plural:WORD}`` or ``{count:plural:ONE/MANY}`` placeholder
    (``spec`` is what follows ``plural:``): ONE for a count of 1, else MANY (WORD + "s").

    >>> plural(1, "sentence"), plural(4, "sentence"), plural(0, "is/are")
    ('sentence', 'sentences', 'are')
    """
    one, _, many = spec.partition("/")
    return one if count == 1 else (many or one + "s")


@lru_cache(maxsize=256)
def _plural_fields(template: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """``template`` with each plural placeholder replaced by a field of its own, and those
    fields as (new name, count field, spec): plain ``str.format`` then fills every row."""
    out, plurals = [], []
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if spec and spec.startswith(PLURAL):
            field_name = f"_plural_{len(plurals)}"
            plurals.append((field_name, name, spec[len(PLURAL):]))
            out.append("{" + field_name + "}")
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "")
                       + (f":{spec}" if spec else "") + "}")
    return "".join(out), tuple(plurals)


def format_message(template: str, fields: Mapping[str, Any]) -> str:
    """Fill a rule's message template; unknown placeholders stay visible rather than fail.
    ``{count:plural:word}`` agrees with the count (see ``plural``).

    >>> format_message("Grade {grade:.1f} over {target}.", {"grade": 11.26, "target": 8})
    'Grade 11.3 over 8.'
    >>> format_message("It has {n} {n:plural:sentence}.", {"n": 1})
    'It has 1 sentence.'
    """
    out = []
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        out.append(literal)
        if name is None:
            continue
        if name not in fields or fields[name] is None or fields[name] is pd.NA:
            out.append("{" + name + (f":{spec}" if spec else "") + "}")
            continue
        value = _FORMATTER.convert_field(fields[name], conversion)
        if spec and spec.startswith(PLURAL):
            out.append(plural(value, spec[len(PLURAL):]))
            continue
        try:
            out.append(format(value, spec or ""))
        except (ValueError, TypeError):
            out.append(str(value))
    return "".join(out)


def _messages(message: str, field_cols: dict[str, pd.Series], n: int) -> list[str]:
    """A rule's ``message`` filled for each of ``n`` rows from ``field_cols`` (plural
    fields such as ``{count:plural:word}`` worked out first)."""
    template, plurals = _plural_fields(message)
    used = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    used = (used - {p[0] for p in plurals}) | {p[1] for p in plurals}
    if not used:
        return [message] * n
    for field_name, name, spec in plurals:
        if name in field_cols:
            field_cols[field_name] = field_cols[name].map(
                lambda count, spec=spec: plural(count, spec), na_action="ignore")
    names = list(field_cols)
    rows = [dict(zip(names, values, strict=True))
            for values in zip(*(field_cols[name].tolist() for name in names), strict=True)]
    complete = used <= set(names) and not any(field_cols[name].isna().any() for name in used)
    try:  # every value present: str.format does the same as format_message, faster
        messages = [template.format_map(row) for row in rows] if complete else None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        messages = None
    return messages if messages is not None else [format_message(message, row) for row in rows]


def finding_rows(
    styleguide: Mapping,
    check: str,
    article_ids: pd.Series,
    *,
    section: pd.Series | str | None = None,
    severity: pd.Series | str | None = None,
    evidence: pd.Series | str | None = None,
    line: pd.Series | None = None,
    fields: Mapping[str, pd.Series | Any] | None = None,
) -> pd.DataFrame:
    """Findings of one rule for many articles at once, as a partial findings DataFrame.

    Severity defaults to the rule's level in the style guide; the message is the rule's
    template filled per row from ``fields`` (Series aligned with ``article_ids``, or scalars)
    plus ``evidence``.

    Examples
    --------
    >>> from stackwise_analysis import load_styleguide
    >>> ids = pd.Series(["a", "b"])
    >>> finding_rows(load_styleguide(), "completeness.missing_disclaimer", ids)["severity"].tolist()
    ['blocker', 'blocker']
    """
    rule = styleguide["rules"][check]
    n = len(article_ids)
    if n == 0:
        return empty_findings()
    index = article_ids.index

    def column(value: Any) -> pd.Series:
        if isinstance(value, pd.Series):
            return value.reindex(index) if not value.index.equals(index) else value
        return pd.Series([value] * n, index=index, dtype="object")

    evidence_col = column(evidence)
    field_cols = {name: column(value) for name, value in (fields or {}).items()}
    field_cols.setdefault("evidence", evidence_col)
    messages = _messages(rule["message"], field_cols, n)
    return pd.DataFrame({
        "article_id": article_ids.to_numpy(),
        "audit": rule["audit"],
        "check": check,
        "severity": column(severity if severity is not None else rule["level"]).to_numpy(),
        "section": column(section).to_numpy(),
        "message": messages,
        "evidence": evidence_col.to_numpy(),
        "line": column(line).to_numpy() if line is not None else pd.NA,
    })


class AuditPart(NamedTuple):
    """What every audit function returns over a chunk of the corpus (``audits.audit_functions()``).

    ``findings`` is a findings table (``FINDINGS_COLUMNS``); ``table`` is the audit's metric
    table when it keeps one (readability: counts and scores per article and part), else None.
    """

    findings: pd.DataFrame
    table: pd.DataFrame | None = None
