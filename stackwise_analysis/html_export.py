"""Find the article in an HTML page as a CMS serves it, and read it as text blocks.

A served page wraps the article in site chrome: a header with the menu, sidebars of related
links, a footer, scripts, cookie banners. Only the article is parsed: the ``<article>``
element (the one holding most text), else ``<main>``, else the element holding the most
paragraph text. Chrome (``nav``, ``aside``, ``script``, forms, hidden elements…) is dropped
wherever it is; the page's own ``header`` and ``footer`` are dropped unless they are inside
the article, where only the title, a risk-label badge and the disclaimer are kept, and
blocks that themes and plugins add to an article (related posts, share buttons, newsletter
boxes: ``WIDGET_NAMES``) go too.
Why lxml and our own rules rather than a boilerplate remover: docs/html-exports.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

#: Dropped wherever they are: never article text.
CHROME_TAGS = ("nav", "aside", "script", "style", "noscript", "template", "form", "button",
               "iframe", "svg", "select", "textarea", "dialog", "menu", "object", "canvas")
#: Classes that hide an element from sighted readers (WordPress, Bootstrap, Tailwind).
HIDDEN_CLASSES = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "hidden",
                            "skip-link"})
HEADING_TAGS = {"h1": "title", "h2": "heading", "h3": "heading", "h4": "heading"}
#: Tags that end a paragraph: each starts a text block of its own.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "blockquote", "ul", "ol",
    "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "td", "th", "dl", "dt", "dd", "address", "details", "summary", "hr",
    "center", "fieldset", "caption",
})
#: Class or id words of theme and plugin blocks inside an article (Jetpack's
#: ``jp-relatedposts`` and ``sharedaddy``, ``share-buttons``, ``newsletter-signup``…).
WIDGET_NAMES = re.compile(r"related|sharedaddy|sharing|share-|social|newsletter|subscribe|"
                          r"comments|breadcrumb|advert|\bad-|\bads?\b|sidebar|widget|"
                          r"cookie|promo|author-bio|post-nav")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Separators between a page title and the site name in ``<title>``.
_TITLE_SUFFIX = re.compile(r"\s+(?:[|–—:·•-]|::)\s+(?!.*\s(?:[|–—:·•-]|::)\s)")

#: Plain lxml elements (``lxml.html``'s element classes cost a look-up per element).
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
#: A text block: (kind, text, line) with kind "title", "heading", "bullet", "text" or
#: "bold" (a paragraph all in bold: text, or a heading where it reads like one).
Block = tuple[str, str, int]


class NoContent(ValueError):
    """The page holds no article text outside its chrome."""


def article_blocks(html: str, is_label: Callable[[str], bool],
                   is_disclaimer: Callable[[str], bool]) -> Iterator[Block]:
    """The article's text blocks in document order, title first.

    Parameters
    ----------
    html : str
        The decoded page.
    is_label, is_disclaimer : callable
        Whether a block's whole text is a risk-label spelling / the house disclaimer: these
        survive in an article's own header or footer, and the first label after the title
        is moved right under it.

    Raises
    ------
    NoContent
        Nothing but chrome (or nothing at all) on the page.

    Examples
    --------
    >>> page = ('<body><nav><a>Home</a></nav><article><h1>Yoga</h1><p>Low Risk</p>'
    ...         '<h2>How It Works</h2><p>Slowly.</p></article><footer>(c) Us</footer></body>')
    >>> [b[:2] for b in article_blocks(page, lambda t: t == "Low Risk", lambda t: False)]
    [('title', 'Yoga'), ('text', 'Low Risk'), ('heading', 'How It Works'), ('text', 'Slowly.')]
    """
    html = _XML_DECLARATION.sub(lambda m: "\n" * m.group(0).count("\n"), html, count=1)
    try:
        page = etree.fromstring(html, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise NoContent(f"the page cannot be read as HTML ({exc})") from None
    if page is None:
        raise NoContent("the page has no article content: it holds no HTML elements")
    _drop_chrome(page)
    root = _content_root(page)
    _trim_own_chrome(root, is_label, is_disclaimer)
    blocks = list(_blocks(root))
    if not blocks or blocks[0][0] != "title":
        title = _outside_title(page, root)
        if title is not None:
            blocks.insert(0, title)
    if not any(kind != "title" for kind, _, _ in blocks):
        raise NoContent("the page has no article content: nothing but menus, sidebars and "
                        "footer outside an <article> or <main> element")
    yield from _label_under_title(blocks, is_label)


def _drop_chrome(page: etree._Element) -> None:
    doomed = [el for el in page.iter(*CHROME_TAGS)]
    doomed += [el for el in page.iter(etree.Element) if _is_hidden(el)]
    for el in doomed:
        if el.getparent() is not None:
            _drop(el)


def _drop(el: etree._Element) -> None:
    """Remove ``el`` and what it holds, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if el.tail:
        before = el.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _all_text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _is_hidden(el: etree._Element) -> bool:
    attrs = el.attrib
    if not attrs:
        return False
    return ("hidden" in attrs or attrs.get("aria-hidden") == "true"
            or bool(HIDDEN_CLASSES.intersection(attrs.get("class", "").split()))
            or bool(_HIDDEN_STYLE.search(attrs.get("style", ""))))


def _content_root(page: etree._Element) -> etree._Element:
    """The article element: most text among ``<article>``s, else ``<main>``, else densest."""
    articles = list(page.iter("article"))
    if articles:
        return max(articles, key=lambda el: len(_all_text(el)))
    for el in page.iter("main", etree.Element):
        if el.tag == "main" or el.get("role") == "main":
            return el
    return _densest(page)


def _densest(page: etree._Element) -> etree._Element:
    """The element whose own paragraphs hold the most text (the page body without one)."""
    score: dict[etree._Element, int] = {}
    for p in page.iter("p", "li", "h2", "h3"):
        parent = p.getparent()
        if parent is not None and parent.tag in ("ul", "ol"):
            parent = parent.getparent()
        if parent is not None:
            score[parent] = score.get(parent, 0) + len(_all_text(p))
    if not score:
        body = page.find("body")
        return body if body is not None else page
    best = max(score, key=score.get)
    # a page that splits its article over sibling wrappers: take their common parent
    return best if best.tag not in ("header", "footer") else best.getparent()


def _trim_own_chrome(root: etree._Element, is_label, is_disclaimer) -> None:
    """Inside the article, keep of a ``header`` or ``footer`` only the title, a label badge
    and the disclaimer: bylines (an author's name is often an ``h4``), dates, share links
    and tags go. The page's own header and footer are outside the article already."""
    for el in list(root.iter("header", "footer")):
        if el.getparent() is None:
            continue
        keep = [k for k in el.iter(etree.Element)
                if k is not el and (k.tag == "h1" or _whole(k, is_label)
                                    or _whole(k, is_disclaimer))]
        keep = [k for k in keep if not any(a in keep for a in k.iterancestors())]
        for k in keep:
            k.tail = None
            el.addprevious(k)
        _drop(el)
    for el in [el for el in root.iter(etree.Element) if el is not root and _is_widget(el)]:
        if el.getparent() is not None and el.find(".//h1") is None:
            _drop(el)


def _is_widget(el: etree._Element) -> bool:
    """A block a theme or plugin puts inside the article: related posts, share buttons,
    newsletter boxes, comments, ads (told by its class or id)."""
    names = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return bool(names.strip()) and bool(WIDGET_NAMES.search(names))


def _whole(el: etree._Element, test: Callable[[str], bool]) -> bool:
    text = " ".join(_all_text(el).split())
    return bool(text) and len(text) < 2000 and test(text)


def _outside_title(page: etree._Element, root: etree._Element) -> Block | None:
    """The title when the article holds no ``<h1>``: an ``<h1>`` elsewhere on the page that
    ``<title>`` agrees with (a page header's, not the site logo's), else ``<title>`` less
    the site name, else the first ``<h1>``."""
    headings = [(text, h1.sourceline or 1) for h1 in page.iter("h1") if (text := _text(h1))]
    for title in page.iter("title"):
        text = _TITLE_SUFFIX.split(_text(title), maxsplit=1)[0].strip()
        if text:
            same = [h for h in headings if h[0].casefold() == text.casefold()]
            return ("title", *(same[0] if same else (text, title.sourceline or 1)))
    return ("title", *headings[0]) if headings else None


def _label_under_title(blocks: list[Block], is_label) -> list[Block]:
    """Move the first block after the title that is a whole label up to right under it
    (a byline or date between them is not the label), looking no further than the first
    section heading."""
    if not blocks or blocks[0][0] != "title":
        return blocks
    for i in range(1, len(blocks)):
        kind, text, _ = blocks[i]
        if kind == "heading":
            break
        if kind in ("text", "bold") and is_label(text):
            return [blocks[0], blocks[i], *blocks[1:i], *blocks[i + 1:]]
    return blocks


def _text(el: etree._Element) -> str:
    return " ".join(_all_text(el).split())


def _blocks(node: etree._Element) -> Iterator[Block]:
    """Text blocks below ``node``: headings, list items, and runs of inline text between
    block elements."""
    run: list[str] = []
    line = node.sourceline or 1

    def flush() -> Iterator[Block]:
        text = " ".join("".join(run).split())
        run.clear()
        if text:
            yield ("text", text, line)

    if node.text:
        run.append(node.text)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in BLOCK_TAGS or tag == "br":
            yield from flush()
            if tag in HEADING_TAGS:
                text = _text(child)
                if text:
                    yield (HEADING_TAGS[tag], text, child.sourceline or line)
            elif tag == "li":
                yield from _list_item(child)
            elif _wholly_bold(child):
                yield ("bold", _text(child), child.sourceline or line)
            elif tag != "br":
                yield from _blocks(child)
            line = child.sourceline or line
        else:
            if tag and not "".join(run).strip():
                line = child.sourceline or line
            run.append(_all_text(child) if tag else "")
        if child.tail:
            run.append(child.tail)
    yield from flush()


def _wholly_bold(el: etree._Element) -> bool:
    """A paragraph that is all one ``<strong>``/``<b>``: how editors without heading styles
    write a heading (``<p><strong>Precautions</strong></p>``)."""
    children = [c for c in el if isinstance(c.tag, str)]
    return (el.tag == "p" and len(children) == 1 and children[0].tag in ("strong", "b")
            and not (el.text or "").strip() and not (children[0].tail or "").strip()
            and not children[0].findall(".//br"))


def _list_item(li: etree._Element) -> Iterator[Block]:
    """A bullet of the item's own text; lists nested in it are bullets of their own."""
    nested = [el for el in li if isinstance(el.tag, str) and el.tag in ("ul", "ol")]
    # the item's text without its nested lists (which may repeat words of it)
    parts = [li.text or ""]
    for child in li:
        if child not in nested:
            parts.append(_all_text(child) if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    text = " ".join(" ".join(parts).split())
    if text:
        yield ("bullet", text, li.sourceline or 1)
    for sub in nested:
        yield from _blocks(sub)
