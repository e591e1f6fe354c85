"""Parse one article export (plain text, Markdown or HTML) into an ``Article`` record.

Parsing knows the house format and nothing of audits: it reports what is on the page (headings
as written, their canonical key when known, bullets, the disclaimer) and leaves judging to the
audits. Text it cannot read as an article raises ``ParseError`` with a short kind and a message.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from .constants import DISCLAIMER_PREFIX
from .exceptions import ParseError
from .html_export import NoContent, article_blocks

#: Raised whenever a change to parsing changes what a file parses to: a parse cache built
#: by an older parser is then not reused (the package version alone misses such changes).
PARSER_REVISION = 3  # 3: HTML pages saved as .txt or .md are read as HTML
#: Words as the loader counts them (hyphenated parts count separately).
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_BULLET_RE = re.compile(r"^\s*(?:[•\-*–·▪◦‣]|\d{1,2}[.)])\s+(.*\S)\s*$")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_EMPHASIS_RE = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
_UNIFY = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
          ("\u00a0", " "), ("\u200b", ""), ("\ufeff", ""))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_DISCLAIMER_KEY = " ".join(DISCLAIMER_PREFIX.lower().split())
_DISCLAIMER_HINTS = ("for informational purposes", "not a substitute for professional medical")
#: A heading-like line: short, no sentence punctuation at its end.
_MAX_HEADING_WORDS = 8
_MAX_TITLE_WORDS = 30
_MAX_HEADING_CHARS = 80
_MD_PLUS_BULLET_RE = re.compile(r"^\s*\+\s+(.*\S)\s*$")
_MD_RULE_RE = re.compile(r"^ {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
#: Inline Markdown a reader does not see: emphasis, links and images (their text stays),
#: code spans.
_MD_INLINE = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: What an export's fields mean: these build the article, the rest become metadata columns.
ARTICLE_FIELDS = ("id", "title", "risk", "body", "body_html", "body_markdown")
#: Metadata fields with a house column name, whatever the export calls them.
METADATA_FIELDS = ("author", "category", "published", "last_reviewed")
EXPORT_FIELDS = ARTICLE_FIELDS + METADATA_FIELDS


@dataclass(frozen=True)
class HouseFormat:
    """What the parser needs to know of the house rules: heading and label spellings.

    ``headings`` maps a normalised heading to its canonical key, ``labels`` a normalised
    label to its risk level; ``normalize`` is the function both were normalised with.
    """

    headings: Mapping[str, str]
    labels: Mapping[str, str]
    normalize: object
    #: Meaning (one of ``EXPORT_FIELDS``) -> field names that carry it in front matter and
    #: JSON dumps, first present wins; a meaning not listed is looked up under its own name.
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def names(self, meaning: str) -> tuple[str, ...]:
        """Field names that carry ``meaning`` in an export."""
        return tuple(self.fields.get(meaning, (meaning,)))


@dataclass
class Section:
    heading: str
    key: str | None
    line: int
    body_line: int | None = None
    lines: list[str] = field(default_factory=list)
    bullets: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Article:
    """One parsed article, as plain Python values (the loader turns many into DataFrames)."""

    title: str
    title_line: int
    risk_label_raw: str | None
    risk_level: str | None
    risk_label_line: int | None
    intro: str
    intro_line: int | None
    sections: list[Section]
    disclaimer: str | None
    disclaimer_line: int | None
    #: Metadata the export carries itself (front matter, JSON fields) as column -> text.
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Line:
    text: str
    number: int
    kind: str = "text"  # text | blank | heading | title | bullet
    bullet: str | None = None
    #: A short line on its own may be a heading nobody marked as one (plain text); an HTML
    #: paragraph is known to be one, unless it is all bold.
    maybe_heading: bool = True


# ------------------------------------------------------------------------------ decoding
def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM stripped) or BOM-marked UTF-16; line ends and quotes unified.

    Raises ``ParseError`` kinds ``empty``, ``not_text`` and ``encoding``.
    """
    if not data.strip():
        raise ParseError("empty", "the file is empty" if not data else "the file holds only "
                         "whitespace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError("encoding", f"not valid UTF-16 at byte {exc.start}") from None
    else:
        if b"\x00" in data[:8192]:
            raise ParseError("not_text", "the file is binary (it contains NUL bytes), "
                             "not a text export")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(
                "encoding",
                f"not valid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x}); "
                "re-export the article as UTF-8",
            ) from None
    if len(_CONTROL_RE.findall(text[:8192])) > 8:
        raise ParseError("not_text", "the file is mostly control characters, not text")
    return unify(text.replace("\r\n", "\n").replace("\r", "\n"))


def unify(text: str) -> str:
    """Straight quotes for curly ones, plain spaces for no-break ones, no zero-width marks."""
    for odd, plain in _UNIFY:
        if odd in text:  # str.replace per character beats str.translate by ~20x here
            text = text.replace(odd, plain)
    return text


def _is_disclaimer(text: str) -> bool:
    if "nformational" not in text and "medical advice" not in text:
        return False
    flat = " ".join(text.lower().split())
    return flat.startswith(_DISCLAIMER_KEY) or any(h in flat for h in _DISCLAIMER_HINTS)


def _looks_like_heading(text: str) -> bool:
    # cheapest tests first: most lines are sentences and fail on their last character
    return (
        text[-1:] not in ".!?,;:\"')"
        and text[0].isupper()
        and 0 < len(text.split()) <= _MAX_HEADING_WORDS
        and not _BULLET_RE.match(text)
    )


def _looks_like_label(text: str, fmt: HouseFormat) -> bool:
    return fmt.normalize(text) in fmt.labels or (
        len(text.split()) <= 5 and "risk" in text.lower() and text[-1] not in ".!?"
    )


# ------------------------------------------------------------------------------ readers
def _text_lines(text: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            lines.append(_Line("", number, "blank"))
            continue
        bullet = _BULLET_RE.match(raw)
        lines.append(_Line(stripped, number, "bullet" if bullet else "text",
                           bullet.group(1) if bullet else None))
    return lines


def _plain_lines(text: str, fmt: HouseFormat) -> tuple[list[_Line], dict]:
    return _text_lines(text), {}


def _markdown_lines(text: str, fmt: HouseFormat) -> tuple[list[_Line], dict]:
    lines = _text_lines(text)
    metadata, fenced = front_matter(text)
    for line in lines[:fenced]:  # metadata, never text; the lines keep their numbers
        line.text, line.kind, line.bullet = "", "blank", None
    seen_title = False
    for line in lines[fenced:]:
        heading = _MD_HEADING_RE.match(line.text) if line.kind != "blank" else None
        if line.kind != "blank" and _MD_RULE_RE.match(line.text):
            line.text, line.kind, line.bullet = "", "blank", None  # a thematic break
        elif heading:
            line.text = heading.group(2)
            line.kind = "heading" if seen_title or len(heading.group(1)) > 1 else "title"
            seen_title = True
        elif line.kind == "text":
            plus = _MD_PLUS_BULLET_RE.match(line.text)
            emphasis = _MD_EMPHASIS_RE.match(line.text)
            if plus:
                line.kind, line.bullet = "bullet", plus.group(1)
            elif emphasis and _looks_like_heading(emphasis.group(2)):
                line.text = emphasis.group(2)
        if line.kind in ("text", "bullet") and any(c in line.text for c in "*_[`"):
            line.text = _plain_inline(line.text)
            line.bullet = _plain_inline(line.bullet) if line.bullet else None
    return lines, metadata


def _plain_inline(text: str) -> str:
    """Markdown inline markup removed, its text kept.

    >>> _plain_inline("See **[the trial](https://x.org)** and _this_ `note`.")
    'See the trial and this note.'
    """
    for pattern, keep in _MD_INLINE:
        text = pattern.sub(keep, text)
    return text


def front_matter(text: str) -> tuple[dict, int]:
    """The YAML (``---``) or TOML (``+++``) block opening a Markdown export, and how many
    lines it spans (0 without one).

    Raises ``ParseError`` kind ``front_matter`` for a block that is never closed or does not
    parse: it is reported, never guessed at.

    >>> front_matter("---\\ntitle: Yoga\\nlast_reviewed: 2025-03-04\\n---\\n# Yoga\\n")
    ({'title': 'Yoga', 'last_reviewed': datetime.date(2025, 3, 4)}, 4)
    """
    fence = text[:4].rstrip("\n")
    if fence not in ("---", "+++") or text[3:4] not in ("\n", ""):
        return {}, 0
    lines = text.split("\n")
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise ParseError("front_matter", f"line 1: the front matter opened with {fence!r} is "
                         f"never closed (no second {fence!r} line)")
    block = "\n".join(lines[1:end])
    try:
        data = (yaml.load(block, Loader=_YAML_LOADER) if fence == "---"
                else tomllib.loads(block))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}" if mark else "line 2"
        raise ParseError("front_matter", f"{where}: the front matter is not valid YAML "
                         f"({getattr(exc, 'problem', None) or exc}); fix or remove it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParseError("front_matter", f"the front matter is not valid TOML ({exc})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError("front_matter", "line 2: the front matter is not a set of "
                         "'key: value' lines")
    return data, end + 1


def _html_lines(text: str, fmt: HouseFormat) -> tuple[list[_Line], dict]:
    def is_label(line: str) -> bool:  # as in plain text: an odd label is still the label
        return len(line) <= _MAX_HEADING_CHARS and _looks_like_label(line, fmt)

    try:
        blocks = list(article_blocks(text, is_label, _is_disclaimer))
    except NoContent as exc:
        raise ParseError("no_content", str(exc)) from None
    lines: list[_Line] = []
    for raw_kind, raw, number in blocks:
        body, kind = unify(raw), raw_kind
        if kind == "bullet":
            lines.append(_Line(body, number, "bullet", body))
            continue
        if lines and lines[-1].kind == "bullet":
            lines.append(_Line("", number, "blank"))
        kind = {"title": "heading" if lines else "title", "bold": "text"}.get(kind, kind)
        lines.append(_Line(body, number, kind, maybe_heading=raw_kind == "bold"))
        lines.append(_Line("", number, "blank"))
    return lines, {}


_READERS = {"text": _plain_lines, "markdown": _markdown_lines, "html": _html_lines}


# ------------------------------------------------------------------------------ metadata
def export_field(record: Mapping, fmt: HouseFormat, meaning: str) -> tuple[str | None, object]:
    """The first field of ``record`` that carries ``meaning`` and has a value: (name, value),
    or (None, None)."""
    for name in fmt.names(meaning):
        value = record.get(name)
        if value is not None and value != "":
            return name, value
    return None, None


def export_metadata(record: Mapping, fmt: HouseFormat) -> dict[str, str]:
    """Metadata columns of an export's fields, as a catalog CSV would give them (text).

    The fields that build the article (id, title, risk, body) are left out; author,
    category, published and last_reviewed take their house names; any other field with a
    plain value (text, number, date, list of those) keeps its own name.

    >>> from stackwise_analysis.corpus import house_format
    >>> export_metadata({"title": "Yoga", "updated": "x", "tags": ["a", "b"], "seo": {}},
    ...                 house_format())
    {'updated': 'x', 'tags': 'a, b'}
    """
    consumed = {name for meaning in ARTICLE_FIELDS for name in fmt.names(meaning)}
    columns: dict[str, str] = {}
    for meaning in METADATA_FIELDS:
        name, value = export_field(record, fmt, meaning)
        consumed.update(fmt.names(meaning))
        cell = _cell(value)
        if cell is not None:
            columns[meaning] = cell
    for key, value in record.items():
        cell = _cell(value)
        if (isinstance(key, str) and key not in consumed and key not in columns
                and not key.startswith("_") and cell is not None):
            columns[key] = cell
    return columns


def _cell(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        text = unify(str(value)).strip()
        return text or None
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(unify(str(v)).strip() for v in value) or None
    return None


# ------------------------------------------------------------------------------ structure
# A document that opens (after comments) with a doctype, <html>, <head> or <body> tag.
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)


def sniff_reader(text: str, reader: str) -> str:
    """The reader ``text`` needs: "html" for an HTML page saved as ``.txt`` or ``.md`` (an
    export that went wrong), else ``reader`` as the extension chose it.

    >>> sniff_reader("<!DOCTYPE html><html><body><h1>Yoga</h1>", "text")
    'html'
    >>> sniff_reader("Yoga <for> beginners", "text")
    'text'
    """
    if reader != "html" and _HTML_START.match(text[:4096]):
        return "html"
    return reader


def parse_article(text: str, fmt: HouseFormat, reader: str = "text",
                  fields: Mapping | None = None) -> Article:
    """Parse decoded text of one export into an ``Article``.

    Parameters
    ----------
    text : str
        The decoded file (see ``decode``), or the body of one record of a dump.
    fmt : HouseFormat
        Heading and label spellings and export field names, usually from the style guide.
    reader : {"text", "markdown", "html"}
        Which export format ``text`` is in.
    fields : mapping, optional
        The record's own fields (a JSON dump's object). With a Markdown file's front
        matter, they give the title and risk label where the text has none, and the
        article's ``metadata``.

    Examples
    --------
    >>> from stackwise_analysis.corpus import house_format
    >>> a = parse_article("Yoga\\n\\nLow Risk\\n\\nIntro text.\\n\\nHow It Works\\n\\nBody.",
    ...                   house_format())
    >>> a.title, a.risk_level, [s.key for s in a.sections]
    ('Yoga', 'Low', ['how_it_works'])
    """
    lines, front = _READERS[reader](text, fmt)
    record = {**front, **fields} if fields else front
    title, title_line, rest = _take_title(lines, fmt, _given(record, fmt, "title"))
    label_raw = label_level = label_line = None
    nonblank = [ln for ln in rest if ln.kind != "blank"]
    if nonblank and nonblank[0].kind == "text" and _looks_like_label(nonblank[0].text, fmt):
        label = nonblank[0]
        label_raw, label_line = label.text.strip("*_ "), label.number
        rest = rest[rest.index(label) + 1:]
    elif (given := _given(record, fmt, "risk")) is not None:
        label_raw, label_line = given, title_line
    if label_raw is not None:
        label_level = fmt.labels.get(fmt.normalize(label_raw))
    article = _body(rest, fmt)
    article.title, article.title_line = title, title_line
    article.risk_label_raw, article.risk_level = label_raw, label_level
    article.risk_label_line = label_line
    article.metadata = export_metadata(record, fmt) if record else {}
    return article


def _given(record: Mapping, fmt: HouseFormat, meaning: str) -> str | None:
    if not record:
        return None
    value = _cell(export_field(record, fmt, meaning)[1])
    return " ".join(value.split()) if value else None


def _take_title(lines: list[_Line], fmt: HouseFormat, given: str | None
                ) -> tuple[str, int, list[_Line]]:
    """The title, its line and the lines after it. A title the export gives as a field is
    used where the text does not open with a title of its own (or with the same words)."""
    content = [ln for ln in lines if ln.kind != "blank"]
    if not content:
        raise ParseError("empty", "the file has no text")
    first = content[0]
    if given is not None and first.kind != "title" and (
            fmt.normalize(first.text) != fmt.normalize(given)):
        return given, 1, lines
    if first.kind == "heading" or (first.kind == "text"
                                   and fmt.normalize(first.text) in fmt.headings):
        raise ParseError("no_title", f"line {first.number}: the file starts with the section "
                         f"heading {first.text!r} instead of a title")
    if first.kind == "bullet" or len(first.text.split()) > _MAX_TITLE_WORDS:
        raise ParseError("no_title", f"line {first.number}: the first line is "
                         f"{'a bullet' if first.kind == 'bullet' else 'a paragraph'}, "
                         "not a title")
    return first.text.lstrip("#").strip(), first.number, lines[lines.index(first) + 1:]


def _body(rest: list[_Line], fmt: HouseFormat) -> Article:
    """Intro, sections and disclaimer of the lines after the title and label."""
    intro: list[_Line] = []
    sections: list[Section] = []
    disclaimer: list[_Line] = []
    previous_blank = True
    for i, line in enumerate(rest):
        if disclaimer:
            disclaimer.append(line)
            continue
        next_blank = i + 1 >= len(rest) or rest[i + 1].kind == "blank"
        if line.kind == "blank":
            previous_blank = True
            (sections[-1].lines if sections else intro).append(line)
            continue
        if line.kind in ("text", "heading") and previous_blank and _is_disclaimer(line.text):
            disclaimer.append(line)
            continue
        key = (fmt.headings.get(fmt.normalize(line.text))
               if len(line.text) <= _MAX_HEADING_CHARS else None)
        is_heading = line.kind == "heading" or (
            line.kind == "text" and (key is not None and len(line.text.split()) <= 8
                                     or line.maybe_heading and previous_blank and next_blank
                                     and _looks_like_heading(line.text))
        )
        previous_blank = False
        if is_heading:
            sections.append(Section(heading=line.text, key=key, line=line.number))
        elif sections:
            section = sections[-1]
            if line.kind == "bullet":
                section.bullets.append((line.bullet, line.number))
            section.lines.append(line)
        else:
            intro.append(line)
    return _article(intro, sections, disclaimer)


def _article(intro: list[_Line], sections: list[Section], disclaimer: list[_Line]) -> Article:
    """The body's parts as an ``Article`` (title and label left for the caller): blank
    lines trimmed, section lines as text, bullets kept for Health Risks only."""
    for section in sections:
        body = _trim(section.lines)
        section.body_line = body[0].number if body else None
        section.lines = [ln.bullet if ln.kind == "bullet" and section.key == "health_risks"
                         else ln.text for ln in body]
        if section.key != "health_risks":
            section.bullets = []
    intro_lines = _trim(intro)
    disclaimer_lines = _trim(disclaimer)
    return Article(
        title="",
        title_line=1,
        risk_label_raw=None,
        risk_level=None,
        risk_label_line=None,
        intro="\n".join(ln.text for ln in intro_lines),
        intro_line=intro_lines[0].number if intro_lines else None,
        sections=sections,
        disclaimer=" ".join(ln.text for ln in disclaimer_lines) or None,
        disclaimer_line=disclaimer_lines[0].number if disclaimer_lines else None,
    )


def _trim(lines: list[_Line]) -> list[_Line]:
    """Drop leading and trailing blank lines; inner ones stay so line numbers stay exact."""
    start, end = 0, len(lines)
    while start < end and lines[start].kind == "blank":
        start += 1
    while end > start and lines[end - 1].kind == "blank":
        end -= 1
    return lines[start:end]
