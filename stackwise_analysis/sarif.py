"""Findings as SARIF 2.1.0, the format code-review tools read to annotate files: each
finding shows on the offending line of a pull request in a repository of articles."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from urllib.parse import quote

import numpy as np
import pandas as pd

from .atomic import replacing
from .columns import python_values

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: SARIF's ``level`` for each severity.
LEVELS = {"blocker": "error", "warning": "warning", "info": "note"}
#: GitHub code scanning rejects a run of more results than this (and shows the 5,000
#: most severe); a log keeps the worst this many, the rest stay in findings.csv.
MAX_RESULTS = 25_000
#: The key under ``partialFingerprints`` that carries a finding's ``finding_id``.
FINGERPRINT = "stackwiseFindingId/v1"


def _column(frame: pd.DataFrame, name: str) -> list:
    """A column as Python values, None for NA (or for a column the frame lacks)."""
    return python_values(frame[name]) if name in frame.columns else [None] * len(frame)


def _rules(styleguide, checks: list[str]) -> list[dict]:
    rules = []
    for check in checks:
        try:
            record = styleguide.rule(check)
        except KeyError:
            record = {}
        rule = {"id": check, "name": check.split(".", 1)[-1],
                "shortDescription": {"text": record.get("description") or check},
                "defaultConfiguration": {"level": LEVELS.get(record.get("level"), "warning")},
                "properties": {"audit": check.split(".", 1)[0]}}
        if record.get("message"):  # ours fills {names}; SARIF's own templates take {0}
            rule["properties"]["messageTemplate"] = record["message"]
        if record.get("description"):
            rule["fullDescription"] = {"text": record["description"]}
            rule["help"] = {"text": record["description"]
                            + (f" Read more: {record['link']}" if record.get("link") else "")}
        if record.get("link"):
            rule["helpUri"] = record["link"]
        rules.append(rule)
    return rules


def _result(row: dict, rule_index: dict[str, int], paths: dict[str, str]) -> dict:
    """One finding's SARIF result; ``row`` holds Python values, None for NA."""
    result = {"ruleId": row["check"], "ruleIndex": rule_index[row["check"]],
              "level": LEVELS.get(str(row["severity"]), "warning"),
              "message": {"text": row["message"] or row["check"]},
              "partialFingerprints": {FINGERPRINT: row["finding_id"]}}
    path = paths.get(row["article_id"]) if row["article_id"] is not None else None
    if path is not None:
        location = {"physicalLocation": {"artifactLocation": {"uri": path,
                                                              "uriBaseId": "CORPUS"}}}
        line = row["line"]
        if line is not None and int(line) >= 1:
            location["physicalLocation"]["region"] = {"startLine": int(line)}
        result["locations"] = [location]
    properties = {k: str(row[k]) for k in ("evidence", "section", "status")
                  if row[k] is not None}
    if properties:
        result["properties"] = properties
    if row["status"] == "waived":
        result["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": str(row["reason"] or ""),
            "properties": {k: str(row[k]) for k in ("decision", "reviewer", "decided",
                                                     "expires") if row[k] is not None}}]
    return result


_RESULT_COLUMNS = ("check", "severity", "message", "finding_id", "article_id", "line",
                   "evidence", "section", "status", "reason", "decision", "reviewer",
                   "decided", "expires")


def sarif_log(findings: pd.DataFrame, articles: pd.DataFrame, styleguide, *,
              root: str | Path | None = None, version: str = "",
              max_results: int | None = MAX_RESULTS) -> dict:
    """The SARIF log of a run's findings: one rule per check that fired (its description
    and link from the style guide), one result per finding with the article's path
    relative to the corpus root and the line, ``finding_id`` as a partial fingerprint,
    and an ``external`` suppression with the reason for each waived finding.

    At most ``max_results`` results (None: all), the most severe first; the run's
    ``properties`` then say how many were left out.

    Parameters
    ----------
    findings : DataFrame
        The findings contract; ``status`` and the decision columns when waivers applied.
    articles : DataFrame
        ``Corpus.articles`` (``article_id`` and ``path``, relative to the corpus root).
    styleguide : Styleguide
    root : path, optional
        The corpus root, recorded as ``originalUriBaseIds.CORPUS``.

    Examples
    --------
    >>> log = sarif_log(result.findings, corpus.articles, result.styleguide)
    >>> log["version"], len(log["runs"][0]["results"]) == len(result.findings)
    ('2.1.0', True)
    >>> log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    {'startLine': ...}
    """
    checks = list(dict.fromkeys(findings["check"].dropna().astype(str)))
    rule_index = {check: number for number, check in enumerate(checks)}
    paths = {str(a): quote(PurePath(str(p)).as_posix())
             for a, p in zip(articles["article_id"], articles["path"], strict=True)}
    left_out = 0
    if max_results is not None and len(findings) > max_results:
        rank = pd.Categorical(findings["severity"], categories=list(LEVELS)).codes
        keep = np.sort(np.argsort(rank, kind="stable")[:max_results])
        left_out = len(findings) - max_results
        findings = findings.iloc[keep]
    # column by column: a million findings as dicts (``to_dict("records")``) and a pandas
    # NA test per value cost more than building the log
    frame = findings.assign(severity=findings["severity"].astype("string"))
    values = [_column(frame, name) for name in _RESULT_COLUMNS]
    results = [_result(dict(zip(_RESULT_COLUMNS, row, strict=True)), rule_index, paths)
               for row in zip(*values, strict=True)]
    driver = {"name": "stackwise-analysis", "rules": _rules(styleguide, checks)}
    if version:
        driver["version"] = version
    run = {"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}
    if left_out:
        run["properties"] = {"resultsLeftOut": left_out, "note": (
            f"the {max_results:,} most severe of {max_results + left_out:,} findings; "
            "all are in findings.csv")}
    if root is not None:
        run["originalUriBaseIds"] = {"CORPUS": {"uri": Path(root).resolve().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


_HOLE = "\0results\0"
_BATCH = 10_000


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_sarif(path: str | Path, log: dict) -> Path:
    """Write a SARIF log as JSON, atomically (a temporary file renamed into place).

    >>> write_sarif("findings.sarif", sarif_log(findings, articles, sg))  # doctest: +SKIP
    PosixPath('findings.sarif')
    """
    path = Path(path)
    # json's C encoder serves only one-shot, unindented ``dumps`` (ten times faster than
    # the Python one), so the results go out in batches, never as one huge string
    runs = log.get("runs") or [{}]
    results = runs[0].get("results", [])
    shell = {**log, "runs": [{**runs[0], "results": [_HOLE]}, *runs[1:]]}
    head, tail = _dumps(shell).split(_dumps(_HOLE))
    with replacing(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(head)
        for start in range(0, len(results), _BATCH):
            if start:
                out.write(",")
            out.write(_dumps(results[start:start + _BATCH])[1:-1])
        out.write(tail + "\n")
    return path


__all__ = ["LEVELS", "sarif_log", "write_sarif"]
