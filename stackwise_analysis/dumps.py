"""Read a CMS dump (JSON Lines, or a JSON list of objects): one article per object.

Each object carries the article's id, title, risk label, body (HTML or Markdown) and
metadata under field names the style guide sets (``exports.fields``). Every object becomes
one ``Record``: an article, or the error that kept it from being one, with the line it
starts on, so one bad object costs only itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .parse import Article, HouseFormat, ParseError, export_field, parse_article, unify

#: An article id from a dump names files and links: letters, digits, ``.``, ``_``, ``-``.
ARTICLE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_BODIES = (("body_html", "html"), ("body_markdown", "markdown"), ("body", None))
_HTML_HINT = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|article|section|br)\b", re.I)


@dataclass
class Record:
    """One object of a dump: ``article`` or ``error``, found at ``line`` of the file."""

    line: int
    article_id: str | None
    article: Article | None = None
    error: ParseError | None = None
    sha256: str = ""

    @property
    def where(self) -> str:
        """Where the record is, for messages: its line and, when known, its id."""
        return f"line {self.line}" + (f", record {self.article_id!r}" if self.article_id
                                      else "")


def read_dump(text: str, fmt: HouseFormat, kind: str, max_bytes: int) -> list[Record]:
    """Every object of a decoded dump as a ``Record``, in file order.

    Parameters
    ----------
    text : str
        The decoded file.
    fmt : HouseFormat
        Heading and label spellings and the export's field names.
    kind : {"jsonl", "json"}
        One object per line, or a JSON list of objects (or a single object).
    max_bytes : int
        A record longer than this is a ``too_large`` error.

    Raises
    ------
    ParseError
        ``empty`` when the file holds no object at all, ``not_json`` when a ``.json`` file
        is not a list of objects from its first character.

    Examples
    --------
    >>> from stackwise_analysis.corpus import house_format
    >>> dump = '{"id": "a1", "title": "Yoga", "risk": "Low", "body": "Intro."}\\n{"id": 2'
    >>> [(r.article_id, r.error and r.error.kind) for r in read_dump(dump, house_format(),
    ...                                                             "jsonl", 10_000)]
    [('a1', None), (None, 'not_json')]
    """
    objects = _lines(text) if kind == "jsonl" else _list(text)
    records = [_record(line, raw, value, fmt, max_bytes) for line, raw, value in objects]
    if not records:
        raise ParseError("empty", "the dump holds no records")
    return records


def _lines(text: str) -> Iterator[tuple[int, str, object]]:
    """(line, raw text, object or the ParseError it raised) of each JSON Lines record."""
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            yield number, raw, json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, raw, ParseError("not_json", f"not valid JSON ({exc.msg} at column "
                                          f"{exc.colno})")
        except RecursionError:
            yield number, raw, ParseError("not_json", "JSON nested too deeply to read")


def _list(text: str) -> Iterator[tuple[int, str, object]]:
    """(line, raw text, object) of each object of a JSON list, read one at a time so an
    object's line is known; a syntax error ends the list (what follows cannot be told
    apart) as one last error record."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if text[at:at + 1] == "{":  # a file holding one object: one article
        end = at
        try:
            value, end = decoder.raw_decode(text, at)
        except (json.JSONDecodeError, RecursionError) as exc:
            value = ParseError("not_json", f"not valid JSON ({getattr(exc, 'msg', exc)})")
        yield text.count("\n", 0, at) + 1, text[at:end], value
        return
    if text[at:at + 1] != "[":
        raise ParseError("not_json", "a .json export must hold a list of article objects "
                         "(or one object); this file starts with "
                         f"{text[at:at + 20]!r}")
    line, counted = 1, 0
    at = _skip(text, at + 1)
    while at < len(text) and text[at] != "]":
        line += text.count("\n", counted, at)
        counted = at
        try:
            value, end = decoder.raw_decode(text, at)
        except (json.JSONDecodeError, RecursionError) as exc:
            problem = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield line, text[at:at + 200], ParseError(
                "not_json", f"not valid JSON ({problem}); the records after it were not read")
            return
        yield line, text[at:end], value
        at = _skip(text, end)
        if text[at:at + 1] == ",":
            at = _skip(text, at + 1)
        elif text[at:at + 1] != "]":
            yield line, "", ParseError("not_json", "the list is not closed with ']'")
            return


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _record(line: int, raw: str, value: object, fmt: HouseFormat, max_bytes: int) -> Record:
    sha = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    if isinstance(value, ParseError):
        return Record(line, None, error=value, sha256=sha)
    if not isinstance(value, dict):
        return Record(line, None, sha256=sha, error=ParseError(
            "not_article", f"expected an object of the article's fields, found "
            f"{type(value).__name__ if value is not None else 'null'}"))
    id_field, raw_id = export_field(value, fmt, "id")
    if raw_id is None or isinstance(raw_id, (dict, list, bool)):
        return Record(line, None, sha256=sha, error=ParseError(
            "no_id", f"the record has no id (looked for {_names(fmt, 'id')})"))
    article_id = str(raw_id).strip()
    record = Record(line, article_id, sha256=sha)
    if not ARTICLE_ID_RE.fullmatch(article_id):
        record.error = ParseError("bad_id", f"{id_field} {article_id!r} cannot be an article "
                                  "id (letters, digits, '.', '_' and '-' only)")
        return record
    if len(raw.encode("utf-8")) > max_bytes:
        record.error = ParseError("too_large", f"over the {max_bytes:,}-byte limit for one "
                                  "article")
        return record
    try:
        body, reader = _body(value, fmt)
        fields = {k: unify(v) if isinstance(v, str) else v for k, v in value.items()}
        record.article = _at_line(parse_article(unify(body), fmt, reader, fields), line)
    except ParseError as exc:
        record.error = exc
    return record


def _body(value: dict, fmt: HouseFormat) -> tuple[str, str]:
    """The record's body and the reader for it (a plain ``body`` is told apart by tags)."""
    for meaning, reader in _BODIES:
        name, body = export_field(value, fmt, meaning)
        if body is None:
            continue
        if not isinstance(body, str):
            raise ParseError("no_body", f"{name} is {type(body).__name__}, not text")
        return body, reader or ("html" if _HTML_HINT.search(body) else "markdown")
    names = ", ".join(_names(fmt, m) for m, _ in _BODIES)
    raise ParseError("no_body", f"the record has no article body (looked for {names})")


def _names(fmt: HouseFormat, meaning: str) -> str:
    return " or ".join(repr(n) for n in fmt.names(meaning))


def _at_line(article: Article, line: int) -> Article:
    """Every line number of ``article`` set to the record's line in the dump: its lines are
    in one string there, and an editor can jump to the record."""
    for section in article.sections:
        section.line = line
        section.body_line = line if section.body_line is not None else None
        section.bullets = [(text, line) for text, _ in section.bullets]
    return dataclasses.replace(
        article, title_line=line,
        risk_label_line=line if article.risk_label_line is not None else None,
        intro_line=line if article.intro_line is not None else None,
        disclaimer_line=line if article.disclaimer_line is not None else None)
