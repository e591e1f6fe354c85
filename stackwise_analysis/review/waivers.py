"""Reviewers' decisions: ``waivers.yml`` read and checked, applied to a run's findings, and
appended to by ``stackwise-analysis waive``.

A waiver names one finding (by ``finding_id``) or a match (``article``, ``check`` and
optionally ``evidence_contains``), says what was decided, by whom, why and until when. It
never hides a finding: the finding keeps its row with ``status`` ``waived`` and the
decision beside it, and stops counting toward ``--fail-on``. An expired waiver stops
applying (``review.waiver_expired``); one that matches nothing draws
``review.stale_waiver``, so the file does not rot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..atomic import replacing
from ..exceptions import WaiversError

DEFAULT_WAIVERS = "waivers.yml"
DECISIONS = ("accepted_risk", "false_positive", "wont_fix")
#: ``waive --list`` calls a waiver expiring when it ends within this many days.
EXPIRING_DAYS = 14
#: A finding's decision fields, beside ``status`` (empty where no waiver applies).
DECISION_COLUMNS = {"decision": "string", "reviewer": "string", "reason": "string",
                    "decided": "string", "expires": "string"}
_KEYS = ("finding", "article", "check", "evidence_contains", "decision", "reviewer", "reason",
         "decided", "expires")
_FINDING_ID = re.compile(r"[0-9a-f]{16}")
_HEADER = """\
# Reviewers' decisions on findings (stackwise-analysis waive --help).
# Each entry names a finding (its finding_id) or a match (article, check and optionally
# evidence_contains), and says the decision (accepted_risk, false_positive or wont_fix),
# who decided, why, when, and until when (required for accepted_risk). A waived finding is
# still reported, with status "waived"; it does not count toward --fail-on.
"""


@dataclass(frozen=True)
class Waiver:
    """One entry of a waivers file.

    ``target`` is the text a reviewer recognises it by (``finding 3fa2c1d4e5f60718`` or
    ``016_magnesium_sleep compliance.absolute_claim "cures"``); review findings carry it as
    their evidence, so their identity survives the file being re-sorted.
    """

    decision: str
    reviewer: str
    reason: str
    decided: dt.date
    expires: dt.date | None = None
    finding: str | None = None
    article: str | None = None
    check: str | None = None
    evidence_contains: str | None = None

    @property
    def target(self) -> str:
        if self.finding is not None:
            return f"finding {self.finding}"
        contains = f' "{self.evidence_contains}"' if self.evidence_contains else ""
        return f"{self.article} {self.check}{contains}"

    def expired(self, today: dt.date) -> bool:
        """Whether the waiver has stopped applying (it applies through its expiry day)."""
        return self.expires is not None and self.expires < today

    def as_entry(self) -> dict:
        """The entry as written to the file: keys in a fixed order, none left empty."""
        values = {"finding": self.finding, "article": self.article, "check": self.check,
                  "evidence_contains": self.evidence_contains, "decision": self.decision,
                  "reviewer": self.reviewer, "reason": self.reason, "decided": self.decided,
                  "expires": self.expires}
        return {key: values[key] for key in _KEYS if values[key] is not None}

    def sort_key(self) -> tuple:
        return (self.article or "", self.check or "", self.finding or "",
                self.evidence_contains or "", self.decided.isoformat())


# ------------------------------------------------------------------------------ reading
def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_entry(entry: Any, key: str, *, max_days: int, rules=None
                ) -> tuple[Waiver | None, list[tuple[str, str]]]:
    """One entry as a Waiver, or None and every problem with it as (key, problem).

    ``rules`` are the rule ids a ``check`` may name (any when None).

    >>> waiver, problems = check_entry({"finding": "3fa2c1d4e5f60718", "decision": "wont_fix",
    ...     "reviewer": "R. Osei", "reason": "House style allows it.",
    ...     "decided": "2026-11-30"}, "waivers[0]", max_days=180)
    >>> waiver.target, problems
    ('finding 3fa2c1d4e5f60718', [])
    >>> check_entry({"decision": "maybe"}, "waivers[1]", max_days=180)[1][0]
    ('waivers[1]', 'name a finding (finding: ID) or a match (article: and check:)')
    """
    if not isinstance(entry, dict):
        return None, [(key, f"expected a mapping of {', '.join(_KEYS)}, got "
                            f"{type(entry).__name__}")]
    problems = [(key, f"unknown key {k!r}; expected one of {', '.join(_KEYS)}")
                for k in entry if k not in _KEYS]
    finding, article, check = (_text(entry.get(k)) for k in ("finding", "article", "check"))
    contains = _text(entry.get("evidence_contains"))
    if finding is None and (article is None or check is None):
        problems.append((key, "name a finding (finding: ID) or a match (article: and check:)"))
    elif finding is not None and (article or check or contains):
        problems.append((key, "give either finding or article/check/evidence_contains, not "
                              "both"))
    if finding is not None and not _FINDING_ID.fullmatch(finding):
        problems.append((f"{key}.finding", f"{finding!r} is not a finding_id (16 hex digits, "
                                           "as in findings.csv)"))
    if check is not None and rules is not None and check not in rules:
        problems.append((f"{key}.check", f"{check!r} is not a rule; `stackwise-analysis "
                                         "rules` lists them"))
    decision = entry.get("decision")
    if decision not in DECISIONS:
        problems.append((f"{key}.decision", f"{decision!r} is not a decision; expected one of "
                                            f"{', '.join(DECISIONS)}"))
    for name in ("reviewer", "reason"):
        if _text(entry.get(name)) is None:
            problems.append((f"{key}.{name}", "missing or empty; say " + (
                "who decided" if name == "reviewer" else "why, in a sentence")))
    decided, expires = _as_date(entry.get("decided")), _as_date(entry.get("expires"))
    if decided is None:
        problems.append((f"{key}.decided", f"{entry.get('decided')!r} is not a date "
                                           "(YYYY-MM-DD)"))
    if entry.get("expires") is not None and expires is None:
        problems.append((f"{key}.expires", f"{entry.get('expires')!r} is not a date "
                                           "(YYYY-MM-DD)"))
    elif expires is None and decision == "accepted_risk":
        problems.append((f"{key}.expires", "an accepted risk needs an expiry date "
                                           "(YYYY-MM-DD)"))
    elif expires is not None and decided is not None:
        if expires < decided:
            problems.append((f"{key}.expires", f"{expires} is before decided {decided}"))
        elif (expires - decided).days > max_days:
            problems.append((f"{key}.expires", f"{expires} is {(expires - decided).days} days "
                             f"after decided {decided}; the style guide allows at most "
                             f"{max_days} (review.max_waiver_days)"))
    if problems:
        return None, problems
    return Waiver(decision=decision, reviewer=_text(entry["reviewer"]),
                  reason=_text(entry["reason"]), decided=decided, expires=expires,
                  finding=finding, article=article, check=check,
                  evidence_contains=contains), []


def load_waivers(path: str | Path, styleguide=None) -> list[Waiver]:
    """Read and check a waivers file; every problem in it is reported at once.

    Parameters
    ----------
    path : path
        The YAML file: a mapping with one key, ``waivers``, a list of entries.
    styleguide : Styleguide, optional
        Gives ``review.max_waiver_days`` and the rule ids a ``check`` may name.

    Raises
    ------
    WaiversError
        Naming the file and, for each problem, the entry (``waivers[3]``) and the key.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> load_waivers("waivers.yml")  # doctest: +SKIP
    [Waiver(decision='false_positive', reviewer='R. Osei', ...)]
    """
    from ..styleguide import RULE_SETTINGS, as_styleguide

    sg = as_styleguide(styleguide)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"waivers file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise WaiversError(str(path), "(top level)", "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(top level)"
        raise WaiversError(str(path), where, f"not valid YAML: "
                                             f"{getattr(exc, 'problem', exc)}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"waivers"}:
        raise WaiversError(str(path), "(top level)", "expected one key, waivers: a list of "
                                                     "entries")
    entries = data.get("waivers") or []
    if not isinstance(entries, list):
        raise WaiversError(str(path), "waivers", f"expected a list, got "
                                                 f"{type(entries).__name__}")
    waivers, problems, seen = [], [], {}
    for number, entry in enumerate(entries):
        key = f"waivers[{number}]"
        waiver, found = check_entry(entry, key, max_days=sg["review"]["max_waiver_days"],
                                    rules=RULE_SETTINGS)
        problems += found
        if waiver is None:
            continue
        if waiver.target in seen:
            problems.append((key, f"waives {waiver.target} again; {seen[waiver.target]} "
                                  "already does"))
        seen.setdefault(waiver.target, key)
        waivers.append(waiver)
    if problems:
        raise WaiversError(str(path), problems=problems)
    return waivers


def default_waivers_path(given: str | Path | None = None) -> Path | None:
    """``given``, else ``waivers.yml`` in the current folder when it exists, else None."""
    if given is not None:
        return Path(given)
    here = Path(DEFAULT_WAIVERS)
    return here if here.is_file() else None


# ------------------------------------------------------------------------------ applying
@dataclass
class Applied:
    """Findings after the reviewers' decisions.

    Attributes
    ----------
    findings : DataFrame
        The findings given, plus ``review.*`` findings for expired and stale waivers, with
        the decision columns (``DECISION_COLUMNS``) filled where a waiver applies.
    waived : Series of bool
        Per row of ``findings``: an active waiver applies.
    """

    findings: pd.DataFrame
    waived: pd.Series


def _matches(findings: pd.DataFrame, waiver: Waiver) -> pd.Series:
    if waiver.finding is not None:
        return (findings["finding_id"] == waiver.finding).fillna(False)
    hit = (findings["article_id"] == waiver.article) & (findings["check"] == waiver.check)
    if waiver.evidence_contains:
        hit &= findings["evidence"].str.contains(waiver.evidence_contains, case=False,
                                                 regex=False)
    return hit.fillna(False).astype(bool)


def _choose(findings: pd.DataFrame, waivers: list[Waiver], today: dt.date
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per finding, the index of the first active waiver that matches it (``len(waivers)``
    for none); per waiver, whether it matches any finding. Waivers by id are one look-up
    for all of them, so a long file costs little on a large run."""
    count = len(waivers)
    active = np.array([not w.expired(today) for w in waivers] + [False])
    chosen = np.full(len(findings), count, dtype=np.int64)
    hits = np.zeros(count, dtype=bool)
    by_id = {w.finding: n for n, w in enumerate(waivers) if w.finding is not None}
    if by_id:
        found = findings["finding_id"].map(by_id).to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(found)
        index = np.where(known, found, count).astype(np.int64)
        hits[np.unique(index[known])] = True
        chosen = np.where(active[index], np.minimum(chosen, index), chosen)
    matches = [n for n, w in enumerate(waivers) if w.finding is None]
    articles = findings["article_id"]
    named = np.flatnonzero(articles.isin({waivers[n].article for n in matches})
                           .to_numpy(dtype=bool)) if matches else np.array([], dtype=np.int64)
    rows_of = pd.Series(named).groupby(
        articles.iloc[named].to_numpy(dtype=object, na_value=None), sort=False).indices
    for number in matches:  # a match looks only at its article's rows
        rows = named[rows_of.get(waivers[number].article, np.array([], dtype=np.int64))]
        hit = rows[_matches(findings.iloc[rows], waivers[number]).to_numpy(dtype=bool)]
        hits[number] = len(hit) > 0
        if active[number]:
            chosen[hit] = np.minimum(chosen[hit], number)
    return chosen, hits


def apply_waivers(findings: pd.DataFrame, waivers: list[Waiver], styleguide=None, *,
                  today: dt.date | None = None, source: str = DEFAULT_WAIVERS) -> Applied:
    """Mark the findings active waivers match, and report expired and stale waivers.

    A finding matched by several waivers takes the first in the file. An expired waiver
    leaves its findings as they were and draws one ``review.waiver_expired``; a waiver that
    matches no finding draws one ``review.stale_waiver`` (both name ``source`` and the
    waiver's target in their evidence).

    Parameters
    ----------
    findings : DataFrame
        The findings contract (with ``finding_id``).
    waivers : list of Waiver
        From ``load_waivers``.
    today : date, optional
        The day expiry is judged on; today when None.

    Examples
    --------
    >>> applied = apply_waivers(result.findings, load_waivers("waivers.yml"))  # doctest: +SKIP
    >>> applied.findings.loc[applied.waived, ["check", "decision", "reviewer"]]  # doctest: +SKIP
    """
    from ..audits import sort_findings
    from ..audits.findings import finding_rows, make_findings
    from ..styleguide import as_styleguide

    sg = as_styleguide(styleguide)
    today = today or dt.date.today()
    chosen, hits = _choose(findings, waivers, today)
    waived = pd.Series(chosen < len(waivers), index=findings.index)
    decided = {}
    for column in DECISION_COLUMNS:
        values = [None if getattr(w, column) is None else str(getattr(w, column))
                  for w in waivers]
        decided[column] = pd.Series(np.array([*values, None], dtype=object)[chosen],
                                    index=findings.index, dtype="string")
    expired_rows, stale_rows = [], []
    for number, waiver in enumerate(waivers):
        if not hits[number]:
            stale_rows.append(waiver)
        elif waiver.expired(today):
            first = findings.loc[_matches(findings, waiver), "article_id"].dropna()
            expired_rows.append((waiver, first.iloc[0] if len(first) else pd.NA))
    parts = [findings.assign(**decided)]
    for check, rows in (("review.waiver_expired", expired_rows),
                        ("review.stale_waiver", [(w, w.article) for w in stale_rows])):
        if not rows:
            continue
        ids = pd.Series([article if article is not None else pd.NA for _, article in rows],
                        dtype="string")
        parts.append(make_findings([finding_rows(
            sg, check, ids, evidence=pd.Series([f"{source}: {w.target}" for w, _ in rows]),
            fields={"expires": pd.Series([w.expires for w, _ in rows])})]))
    if len(parts) == 1:
        return Applied(parts[0], waived)
    extra = [p.assign(**{c: pd.Series(pd.NA, index=p.index, dtype=t)
                         for c, t in DECISION_COLUMNS.items()}) for p in parts[1:]]
    combined = pd.concat([parts[0].assign(_waived=waived),
                          *[p.assign(_waived=False) for p in extra]], ignore_index=True)
    combined = sort_findings(combined[[*parts[0].columns, "_waived"]])
    return Applied(combined.drop(columns="_waived"), combined["_waived"].astype(bool))


def with_status(findings: pd.DataFrame, status: pd.Series) -> pd.DataFrame:
    """``findings`` with a ``status`` column just before the decision's fields.

    >>> with_status(apply_waivers(result.findings, []).findings, "new").columns.tolist()[-6:]
    ['status', 'decision', 'reviewer', 'reason', 'decided', 'expires']
    """
    table = findings.assign(status=status)
    rest = [c for c in table.columns if c != "status" and c not in DECISION_COLUMNS]
    return table[[*rest, "status", *[c for c in DECISION_COLUMNS if c in table.columns]]]


# ------------------------------------------------------------------------------ writing
def write_waivers(path: str | Path, waivers: list[Waiver]) -> Path:
    """Write ``waivers`` sorted (article, check, finding, evidence, date) under a fixed
    header, atomically: a temporary file beside ``path`` renamed over it, so a reader sees
    the old file or the new one, never half of one. The same waivers always give the same
    text, so a diff of two versions shows only the decisions that changed.

    >>> write_waivers("waivers.yml", load_waivers("waivers.yml") + new)  # doctest: +SKIP
    PosixPath('waivers.yml')
    """
    path = Path(path)
    entries = [w.as_entry() for w in sorted(waivers, key=Waiver.sort_key)]
    body = yaml.safe_dump({"waivers": entries}, sort_keys=False, allow_unicode=True,
                          width=96, default_flow_style=False)
    with replacing(path, durable=True) as tmp:
        tmp.write_text(_HEADER + body, encoding="utf-8")
    return path


def waiver_table(waivers: list[Waiver], today: dt.date | None = None) -> pd.DataFrame:
    """One row per waiver with its state: ``expired``, ``expiring`` (within
    ``EXPIRING_DAYS``) or ``active``; what ``waive --list`` prints, soonest first.

    >>> waiver_table([]).columns.tolist()
    ['state', 'expires', 'decision', 'reviewer', 'waives', 'reason']
    """
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    rows = [{"state": "expired" if w.expired(today) else
             "expiring" if w.expires is not None and w.expires <= soon else "active",
             "expires": "" if w.expires is None else w.expires.isoformat(),
             "decision": w.decision, "reviewer": w.reviewer, "waives": w.target,
             "reason": w.reason} for w in waivers]
    table = pd.DataFrame(rows, columns=["state", "expires", "decision", "reviewer", "waives",
                                        "reason"])
    order = table["state"].map({"expired": 0, "expiring": 1, "active": 2})
    return (table.assign(_order=order, _never=table["expires"] == "")
            .sort_values(["_order", "_never", "expires", "waives"], kind="stable")
            .drop(columns=["_order", "_never"]).reset_index(drop=True))


# ------------------------------------------------------------------------------ the sheet
def _cell_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip() or None


def decisions_from_xlsx(path: str | Path, reviewer: str, styleguide=None, *,
                        today: dt.date | None = None) -> list[Waiver]:
    """The decisions a reviewer filled in on the audit sheets of a ``findings.xlsx``:
    every row with a ``decision`` and not already ``waived`` becomes a waiver of its
    ``finding_id``, decided today by ``reviewer``.

    Raises
    ------
    WaiversError
        Every row that cannot become a waiver (no reason, an unknown decision, a bad or
        too distant expiry), each named by sheet and row, all at once.

    >>> decisions_from_xlsx("reports/latest/findings.xlsx", "R. Osei")  # doctest: +SKIP
    [Waiver(decision='false_positive', reviewer='R. Osei', ...)]
    """
    from ..constants import AUDITS
    from ..styleguide import as_styleguide

    sg = as_styleguide(styleguide)
    today = today or dt.date.today()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"spreadsheet not found: {path}")
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    waivers, problems = [], []
    for name in (n for n in AUDITS if n in sheets):
        sheet = sheets[name]
        if "decision" not in sheet.columns or "finding_id" not in sheet.columns:
            continue
        for number, row in zip(range(2, len(sheet) + 2), sheet.to_dict("records"),
                               strict=True):
            if _cell_text(row.get("decision")) is None or _cell_text(row.get("status")) == "waived":
                continue
            entry = {"finding": _cell_text(row.get("finding_id")),
                     "decision": _cell_text(row.get("decision")), "reviewer": reviewer,
                     "reason": _cell_text(row.get("reason")), "decided": today,
                     "expires": _sheet_date(row.get("expires"))}
            waiver, found = check_entry({k: v for k, v in entry.items() if v is not None},
                                        f"sheet {name} row {number}",
                                        max_days=sg["review"]["max_waiver_days"])
            problems += found
            if waiver is not None:
                waivers.append(waiver)
    if problems:
        raise WaiversError(str(path), problems=problems)
    return waivers


def _sheet_date(value: Any) -> Any:
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return None if pd.isna(value) else value.date()
    return _cell_text(value)


def merge_decisions(existing: list[Waiver], new: list[Waiver]) -> list[Waiver]:
    """``existing`` with ``new`` added; a new decision on a finding that already has an
    entry of its own replaces that entry (the reviewer decided again).

    >>> merge_decisions([], [])
    []
    """
    replaced = {w.target for w in new}
    return [w for w in existing if w.target not in replaced] + new
