"""Findings as SARIF 2.1.0, the format code-review tools read to annotate files: each
finding shows on the offending line of a pull request in a repository of articles."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from urllib.parse import quote

import pandas as pd

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: SARIF's ``level`` for each severity.
LEVELS = {"blocker": "error", "warning": "warning", "info": "note"}
#: The key under ``partialFingerprints`` that carries a finding's ``finding_id``.
FINGERPRINT = "stackwiseFindingId/v1"


def _value(value):
    return None if value is None or value is pd.NA or pd.isna(value) else value


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
    result = {"ruleId": row["check"], "ruleIndex": rule_index[row["check"]],
              "level": LEVELS.get(str(row["severity"]), "warning"),
              "message": {"text": row["message"] or row["check"]},
              "partialFingerprints": {FINGERPRINT: row["finding_id"]}}
    path = paths.get(row["article_id"]) if _value(row["article_id"]) is not None else None
    if path is not None:
        location = {"physicalLocation": {"artifactLocation": {"uri": path,
                                                              "uriBaseId": "CORPUS"}}}
        line = _value(row.get("line"))
        if line is not None and int(line) >= 1:
            location["physicalLocation"]["region"] = {"startLine": int(line)}
        result["locations"] = [location]
    evidence = _value(row.get("evidence"))
    properties = {k: v for k, v in (("evidence", evidence), ("section", _value(row["section"])),
                                    ("status", _value(row.get("status")))) if v is not None}
    if properties:
        result["properties"] = {k: str(v) for k, v in properties.items()}
    if _value(row.get("status")) == "waived":
        result["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": str(_value(row.get("reason")) or ""),
            "properties": {k: str(_value(row.get(k))) for k in
                           ("decision", "reviewer", "decided", "expires")
                           if _value(row.get(k)) is not None}}]
    return result


def sarif_log(findings: pd.DataFrame, articles: pd.DataFrame, styleguide, *,
              root: str | Path | None = None, version: str = "") -> dict:
    """The SARIF log of a run's findings: one rule per check that fired (its description
    and link from the style guide), one result per finding with the article's path
    relative to the corpus root and the line, ``finding_id`` as a partial fingerprint,
    and an ``external`` suppression with the reason for each waived finding.

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
    columns = [c for c in findings.columns if c != "severity"]
    rows = findings[columns].assign(severity=findings["severity"].astype("string"))
    results = [_result(row, rule_index, paths) for row in rows.to_dict("records")]
    driver = {"name": "stackwise-analysis", "rules": _rules(styleguide, checks)}
    if version:
        driver["version"] = version
    run = {"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}
    if root is not None:
        run["originalUriBaseIds"] = {"CORPUS": {"uri": Path(root).resolve().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(path: str | Path, log: dict) -> Path:
    """Write a SARIF log as JSON, atomically (a temporary file renamed into place).

    >>> write_sarif("findings.sarif", sarif_log(findings, articles, sg))  # doctest: +SKIP
    PosixPath('findings.sarif')
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(log, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


__all__ = ["LEVELS", "sarif_log", "write_sarif"]
