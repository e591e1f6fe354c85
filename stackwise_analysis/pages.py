"""Article review pages: each flagged article as written, its findings highlighted in place.

A report run writes ``articles/<article_id>.html`` for every article with a finding at
warning or above, worst first, up to a cap. A page shows the title, label, intro, sections
(bullets as a list) and disclaimer in document order; each sentence or heading a finding
points at is marked with its worst severity's class (``sev-blocker``, ``sev-warning``,
``sev-info``) and explained in a margin note; findings that belong to no line (a missing
section, no disclaimer, stale content) stand in a box at the top. Pages are static HTML with
inline CSS, no script and no request of any kind; every piece of article text is escaped by
the template (Jinja2 autoescape), since article text is untrusted input.

Sentences are cut with the splitter every audit uses, so the highlighted stretch is exactly
the sentence a finding quotes as evidence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .constants import DEFAULT_ARTICLE_PAGES, SEVERITIES

#: The run folder's subfolder that holds the pages.
PAGES_DIR = "articles"
#: Findings at this severity or worse earn an article its page.
PAGE_SEVERITY = "warning"
TEMPLATE = "article_page.html.j2"
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass
class PagesWritten:
    """What ``write_article_pages`` did.

    Attributes
    ----------
    pages : dict
        article_id -> the page's path relative to the run folder, worst article first.
    flagged : int
        Articles with a finding at warning or above (each would have a page without a cap).
    limit : int
        The cap the run was given.
    """

    pages: dict[str, str] = field(default_factory=dict)
    flagged: int = 0
    limit: int = DEFAULT_ARTICLE_PAGES

    @property
    def left_out(self) -> int:
        """Flagged articles without a page because of the cap."""
        return self.flagged - len(self.pages)


def page_path(article_id: str) -> str:
    """The page of an article, relative to the run folder (a file path, not a URL).

    >>> page_path("012_cold_plunge")
    'articles/012_cold_plunge.html'
    """
    return f"{PAGES_DIR}/{article_id}.html"


def page_href(article_id: str, prefix: str = f"{PAGES_DIR}/") -> str:
    """A link to an article's page: the id percent-encoded, so any file name stays a link.

    >>> page_href("a b#1")
    'articles/a%20b%231.html'
    """
    return f"{prefix}{quote(str(article_id), safe='')}.html"


def flagged_articles(scorecard: pd.DataFrame) -> pd.Series:
    """Ids of the articles with a finding at warning or above, worst first: most blockers,
    then warnings, then infos, ties by id.

    >>> flagged_articles(result.scorecard).is_unique
    True
    """
    from .tables import worst_first

    card = worst_first(scorecard[(scorecard["blocker"] + scorecard["warning"]) > 0])
    return card["article_id"].astype("string").reset_index(drop=True)


# ------------------------------------------------------------------------------ placing
@dataclass
class Piece:
    """A stretch of a line: plain text, or text that findings point at (``notes``)."""

    text: str
    notes: list[dict] = field(default_factory=list)

    @property
    def severity(self) -> str | None:
        """The worst severity among the notes, or None for plain text."""
        if not self.notes:
            return None
        return max((n["severity"] for n in self.notes), key=_RANK.__getitem__)


def place(text: str, findings: list[dict], spans) -> list[Piece]:
    """Cut ``text`` (one line of the article) into pieces, marking what ``findings`` quote.

    A finding marks the sentence of ``spans`` equal to its evidence; else the first place
    its evidence occurs in the line; else (evidence that is a number, or text the line no
    longer holds) the whole line. Findings on the same stretch share one mark.

    >>> from stackwise_analysis.text.sentences import SentenceSplitter
    >>> text = "It helps. It cures colds."
    >>> pieces = place(text, [{"evidence": "It cures colds.", "severity": "blocker"}],
    ...                SentenceSplitter().spans(text))
    >>> [(p.text, p.severity) for p in pieces]
    [('It helps. ', None), ('It cures colds.', 'blocker')]
    """
    if not findings:
        return [Piece(text)]
    marks: dict[tuple[int, int], list[dict]] = defaultdict(list)
    sentences = {text[a:b]: (a, b) for a, b in reversed(spans)}
    for finding in findings:
        evidence = (finding.get("evidence") or "").strip()
        where = sentences.get(evidence)
        if where is None and evidence:
            at = text.find(evidence)
            where = (at, at + len(evidence)) if at >= 0 else None
        marks[where or (0, len(text))].append(finding)
    return _cut(text, marks)


def _cut(text: str, marks: dict[tuple[int, int], list[dict]]) -> list[Piece]:
    """Pieces of ``text`` from marked ranges; overlapping ranges merge into one mark."""
    merged: list[list] = []
    for (a, b), notes in sorted(marks.items()):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
            merged[-1][2].extend(notes)
        else:
            merged.append([a, b, list(notes)])
    pieces, at = [], 0
    for a, b, notes in merged:
        if a > at:
            pieces.append(Piece(text[at:a]))
        pieces.append(Piece(text[a:b], notes))
        at = b
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


# ------------------------------------------------------------------------------ documents
def _lines(text, first_line) -> list[tuple[int | None, str]]:
    """(line number, text) of each non-blank line of a multi-line field."""
    if text is None or pd.isna(text) or text == "":
        return []
    start = None if first_line is None or pd.isna(first_line) else int(first_line)
    out = []
    for offset, line in enumerate(str(text).split("\n")):
        if line.strip():
            out.append((None if start is None else start + offset, line))
    return out


@dataclass
class _Sources:
    """One article's rows of every frame a page draws on, as plain dicts."""

    article: dict
    sections: list[dict]
    bullet_lines: set
    findings: list[dict]
    grades: list[dict]


def _bucket(frame: pd.DataFrame, ids: set, columns: list[str]) -> dict[str, list[dict]]:
    """Rows of ``frame`` for ``ids`` as dicts (NA as None), grouped by article id; every
    row has every one of ``columns``."""
    # a column the frame lacks (a table from an older run) is None throughout
    part = frame.loc[frame["article_id"].isin(ids)].reindex(columns=columns)
    part = part.astype(object).where(part.notna(), None)
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in part.to_dict("records"):
        groups[row["article_id"]].append(row)
    return groups


def _sources(corpus, audit, ids: list[str], metric: str) -> dict[str, _Sources]:
    wanted = set(ids)
    articles = _bucket(corpus.articles, wanted, [
        "article_id", "path", "title", "title_line", "risk_level", "risk_label_raw",
        "risk_label_line", "intro", "intro_line", "has_disclaimer", "disclaimer",
        "disclaimer_line"])
    sections = _bucket(corpus.sections, wanted, [
        "article_id", "position", "heading", "section", "line", "body_line", "text"])
    risks = _bucket(corpus.risks, wanted, ["article_id", "line"])
    findings = _bucket(audit.findings, wanted, [
        "article_id", "audit", "check", "severity", "section", "message", "evidence", "line",
        "finding_id", "status"])
    grades = _bucket(audit.readability, wanted, [
        "article_id", "scope", "position", "section", "heading", "words", metric])
    return {i: _Sources(article=articles[i][0], sections=sections.get(i, []),
                        bullet_lines={r["line"] for r in risks.get(i, [])},
                        findings=findings.get(i, []), grades=grades.get(i, []))
            for i in ids if i in articles}


def _block(kind: str, line, text: str, by_line: dict, splitter, **extra) -> dict:
    """One rendered line: its pieces, with the findings at its line placed in it."""
    here = by_line.pop(line, []) if line is not None else []
    spans = splitter.spans(text) if here and kind not in ("heading", "title", "label") else []
    return {"kind": kind, "line": line, "pieces": place(text, here, spans), **extra}


def article_document(src: _Sources, splitter, note_of) -> dict:
    """The page's content for one article: blocks in document order, grouped in parts,
    plus the findings that belong to no line of it (``article_notes``)."""
    a = src.article
    by_line: dict = defaultdict(list)
    loose = []
    for f in sorted(src.findings, key=lambda f: (-_RANK[f["severity"]], f["check"])):
        note = note_of(f)
        (by_line[f["line"]] if f["line"] is not None else loose).append(note)
    head = [_block("title", a["title_line"], a["title"] or "", by_line, splitter)]
    if a["risk_label_raw"]:
        head.append(_block("label", a["risk_label_line"], a["risk_label_raw"], by_line,
                           splitter))
    grades = {(g["scope"], g["position"]): g for g in src.grades}
    parts = [{"name": "Introduction", "grade": grades.get(("intro", None)), "blocks": [
        _block("paragraph", n, t, by_line, splitter)
        for n, t in _lines(a["intro"], a["intro_line"])]}]
    for s in sorted(src.sections, key=lambda s: s["position"]):
        blocks = [_block("heading", s["line"], s["heading"] or "", by_line, splitter)]
        blocks += [_block("bullet" if n in src.bullet_lines else "paragraph", n, t, by_line,
                          splitter) for n, t in _lines(s["text"], s["body_line"])]
        parts.append({"name": s["heading"], "section": s["section"],
                      "grade": grades.get(("section", s["position"])), "blocks": blocks})
    disclaimer = [_block("disclaimer", n, t, by_line, splitter)
                  for n, t in _lines(a["disclaimer"], a["disclaimer_line"])]
    # a finding whose line the page does not show (e.g. a line of a dropped fragment)
    for notes in by_line.values():
        loose.extend(notes)
    return {"article": a, "head": head, "parts": [p for p in parts if p["blocks"]],
            "disclaimer": disclaimer, "article_notes": loose,
            "overall": grades.get(("article", None))}


# ------------------------------------------------------------------------------ notes
def _note_maker(styleguide):
    """A function turning a finding into its margin note: the finding plus its rule's
    description and link (only an http(s) link is made clickable)."""
    rules = {} if styleguide is None else styleguide.rules

    def note_of(finding: dict) -> dict:
        rule = rules.get(finding["check"], {})
        link = rule.get("link")
        if not (isinstance(link, str) and link.startswith(("https://", "http://"))):
            link = None
        return {**finding, "description": rule.get("description"), "link": link,
                "grade": None}

    return note_of


def _number_notes(document: dict) -> list[dict]:
    """Number the notes in reading order (top box first); every note, in that order."""
    notes = list(document["article_notes"])
    blocks = [*document["head"], *(b for p in document["parts"] for b in p["blocks"]),
              *document["disclaimer"]]
    notes += [n for b in blocks for piece in b["pieces"] for n in piece.notes]
    for number, note in enumerate(notes, start=1):
        note["number"] = number
    return notes


def _sentence_grades(documents: list[dict], styleguide, metric: str) -> None:
    """Give each readability note the reading grade of the sentence it marks, all pages'
    sentences counted in one batch by the audit's counter."""
    from .text.counts import scores, shared_counter
    from .text.sentences import splitter_of

    marked = [(piece, note) for d in documents
              for b in [*(b for p in d["parts"] for b in p["blocks"])]
              for piece in b["pieces"] for note in piece.notes
              if note["check"].startswith("readability.") and b["kind"] != "heading"]
    if not marked:
        return
    # the audit's own counter (same splitter, same sentence limit), so grades agree with it
    counter = shared_counter(int(styleguide.rule("readability.long_sentence")["max_words"]),
                             splitter_of(styleguide))
    counts = counter.count_many([piece.text for piece, _ in marked])
    grade = scores(counts)[metric]
    for (_, note), value in zip(marked, grade, strict=True):
        note["grade"] = None if pd.isna(value) else round(float(value), 1)


# ------------------------------------------------------------------------------ rendering
@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("stackwise_analysis", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["page_href"] = lambda article_id: page_href(article_id, prefix="")
    env.filters["grade"] = lambda row, metric: (
        None if row is None or row.get(metric) is None else f"{float(row[metric]):.1f}")
    return env


def render_article_page(document: dict, *, previous: str | None = None,
                        following: str | None = None, position: int = 1, total: int = 1,
                        metric: str = "flesch_kincaid_grade", run_id: str = "") -> str:
    """One article's review page as an HTML string (static, inline CSS, no script).

    ``document`` is ``article_document``'s result with its notes numbered; ``previous``
    and ``following`` are the ids of the flagged articles before and after it.
    """
    notes = _number_notes(document) if document.get("notes") is None else document["notes"]
    counts = {s: sum(1 for n in notes if n["severity"] == s) for s in reversed(SEVERITIES)}
    return _environment().get_template(TEMPLATE).render(
        doc=document, notes=notes, counts=counts, previous=previous, following=following,
        position=position, total=total, metric=metric, run_id=run_id)


# Over 50 lines for its docstring; the code is about 30.
def write_article_pages(folder: str | Path, corpus, audit, *,
                        limit: int = DEFAULT_ARTICLE_PAGES, run_id: str = "") -> PagesWritten:
    """Write a review page for each flagged article, worst first, at most ``limit``.

    Parameters
    ----------
    folder : path
        The run folder; pages go to its ``articles/`` subfolder (created).
    corpus : Corpus
    audit : Audit
        The audit of ``corpus`` (its findings, scorecard, readability and style guide).
    limit : int
        At most this many pages; the rest of the flagged articles are counted, not written.
    run_id : str
        Shown on each page.

    Returns
    -------
    PagesWritten
        The pages written (article id -> path relative to ``folder``) and how many
        flagged articles were left out.

    Examples
    --------
    >>> written = write_article_pages("run", corpus, result, limit=5)
    >>> len(written.pages), written.left_out > 0
    (5, True)
    """
    from .tables import grade_metric
    from .text.sentences import splitter_of

    if not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a whole number of at least 0, not {limit!r}")
    styleguide = audit.styleguide
    metric = grade_metric(styleguide)
    flagged = flagged_articles(audit.scorecard)
    ids = flagged.head(limit).tolist()
    splitter = splitter_of(styleguide)
    sources = _sources(corpus, audit, ids, metric)
    note_of = _note_maker(styleguide)
    documents = [article_document(sources[i], splitter, note_of) for i in ids if i in sources]
    for document in documents:
        document["notes"] = _number_notes(document)
    _sentence_grades(documents, styleguide, metric)
    out = Path(folder) / PAGES_DIR
    if documents:
        out.mkdir(parents=True, exist_ok=True)
    written = PagesWritten(flagged=len(flagged), limit=limit)
    order = [d["article"]["article_id"] for d in documents]
    for at, document in enumerate(documents):
        article_id = order[at]
        html = render_article_page(
            document, previous=order[at - 1] if at else None,
            following=order[at + 1] if at + 1 < len(order) else None,
            position=at + 1, total=len(order), metric=metric, run_id=run_id)
        (out / f"{article_id}.html").write_text(html, encoding="utf-8")
        written.pages[article_id] = page_path(article_id)
    return written


def page_column(findings: pd.DataFrame, pages: dict[str, str]) -> pd.Series:
    """Each finding's article page (relative to the run folder), NA where it has none.

    >>> page_column(result.findings, {"001_ashwagandha_stress": "articles/x.html"}).notna().any()
    np.True_
    """
    return findings["article_id"].map(pages).astype("string")


__all__ = ["DEFAULT_ARTICLE_PAGES", "PAGES_DIR", "PagesWritten", "article_document",
           "flagged_articles", "page_column", "page_href", "page_path", "place",
           "render_article_page", "write_article_pages"]
