"""Parse one article export (plain text, Markdown or HTML) into an ``Article`` record.

Parsing knows the house format and nothing of audits: it reports what is on the page (headings
as written, their canonical key when known, bullets, the disclaimer) and leaves judging to the
audits. Text it cannot read as an article raises ``ParseError`` with a short kind and a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bs4 import BeautifulSoup

from .constants import DISCLAIMER_PREFIX

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


class ParseError(ValueError):
    """Text that cannot be read as an article; ``kind`` is the short error name."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class HouseFormat:
    """What the parser needs to know of the house rules: heading and label spellings.

    ``headings`` maps a normalised heading to its canonical key, ``labels`` a normalised
    label to its risk level; ``normalize`` is the function both were normalised with.
    """

    headings: Mapping[str, str]
    labels: Mapping[str, str]
    normalize: object


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


@dataclass
class _Line:
    text: str
    number: int
    kind: str = "text"  # text | blank | heading | title | bullet
    bullet: str | None = None


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
    words = text.split()
    return (
        0 < len(words) <= _MAX_HEADING_WORDS
        and text[-1] not in ".!?,;:\"')"
        and text[0].isupper()
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


def _markdown_lines(text: str) -> list[_Line]:
    lines = _text_lines(text)
    seen_title = False
    for line in lines:
        heading = _MD_HEADING_RE.match(line.text) if line.kind != "blank" else None
        if heading:
            line.text = heading.group(2)
            line.kind = "heading" if seen_title or len(heading.group(1)) > 1 else "title"
            seen_title = True
        elif line.kind == "text":
            emphasis = _MD_EMPHASIS_RE.match(line.text)
            if emphasis and _looks_like_heading(emphasis.group(2)):
                line.text = emphasis.group(2)
    return lines


def _html_lines(text: str) -> list[_Line]:
    soup = BeautifulSoup(text, "html.parser")
    for hidden in soup(["script", "style", "head", "nav", "footer", "template"]):
        hidden.decompose()
    lines: list[_Line] = []
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "p", "li"]):
        if tag.name == "p" and tag.find_parent("li"):
            continue
        body = unify(" ".join(tag.get_text(" ").split()))
        if not body:
            continue
        number = tag.sourceline or (lines[-1].number + 1 if lines else 1)
        if tag.name == "h1":
            lines.append(_Line(body, number, "title"))
        elif tag.name in ("h2", "h3", "h4"):
            lines.append(_Line(body, number, "heading"))
        elif tag.name == "li":
            lines.append(_Line(body, number, "bullet", body))
            continue
        else:
            if lines and lines[-1].kind == "bullet":
                lines.append(_Line("", number, "blank"))
            lines.append(_Line(body, number, "text"))
        lines.append(_Line("", number, "blank"))
    return lines


_READERS = {"text": _text_lines, "markdown": _markdown_lines, "html": _html_lines}


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


def parse_article(text: str, fmt: HouseFormat, reader: str = "text") -> Article:
    """Parse decoded text of one export into an ``Article``.

    Parameters
    ----------
    text : str
        The decoded file (see ``decode``).
    fmt : HouseFormat
        Heading and label spellings, usually from the style guide.
    reader : {"text", "markdown", "html"}
        Which export format ``text`` is in.

    Examples
    --------
    >>> from stackwise_analysis.corpus import house_format
    >>> a = parse_article("Yoga\\n\\nLow Risk\\n\\nIntro text.\\n\\nHow It Works\\n\\nBody.",
    ...                   house_format())
    >>> a.title, a.risk_level, [s.key for s in a.sections]
    ('Yoga', 'Low', ['how_it_works'])
    """
    lines = [ln for ln in _READERS[reader](text)]
    content = [ln for ln in lines if ln.kind != "blank"]
    if not content:
        raise ParseError("empty", "the file has no text")
    first = content[0]
    if first.kind == "heading" or (first.kind == "text"
                                   and fmt.normalize(first.text) in fmt.headings):
        raise ParseError("no_title", f"line {first.number}: the file starts with the section "
                         f"heading {first.text!r} instead of a title")
    if first.kind == "bullet" or len(first.text.split()) > _MAX_TITLE_WORDS:
        raise ParseError("no_title", f"line {first.number}: the first line is "
                         f"{'a bullet' if first.kind == 'bullet' else 'a paragraph'}, "
                         "not a title")
    title = first.text.lstrip("#").strip()

    rest = lines[lines.index(first) + 1:]
    label_raw = label_level = label_line = None
    nonblank = [ln for ln in rest if ln.kind != "blank"]
    if nonblank and nonblank[0].kind in ("text",) and _looks_like_label(nonblank[0].text, fmt):
        label = nonblank[0]
        label_raw, label_line = label.text.strip("*_ "), label.number
        label_level = fmt.labels.get(fmt.normalize(label_raw))
        rest = rest[rest.index(label) + 1:]

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
                                     or previous_blank and next_blank
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
        title=title,
        title_line=first.number,
        risk_label_raw=label_raw,
        risk_level=label_level,
        risk_label_line=label_line,
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
