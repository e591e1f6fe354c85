"""Compare ways of finding the article in served HTML pages: accuracy and speed.

Renders every plain-text sample article (data/articles/*.txt) as a served page in three
site themes (WordPress-style semantic tags, Ghost-style with post cards in the sidebar,
and an old theme of bare ``<div>``s with no ``<article>``/``<main>``), with menus,
bylines, badges, sidebars of related links, ads, cookie banners and scripts. Each approach
turns a page into an ``Article``; it is right when title, label, section keys and text,
risks and disclaimer all equal the plain-text original's and no chrome text leaks in.

* ours (lxml): the loader's reader (``html_export``: semantic tags, then densest block)
* ours on selectolax: the same rules over selectolax's Lexbor tree
* trafilatura: ``extract(output_format="markdown")``, read by our Markdown reader
* readability-lxml: ``Document.summary()`` under its ``short_title()``, read by our reader
* before: this package's reader before issue 17 (BeautifulSoup, no chrome handling)

``--load N`` also times ``load_corpus`` on N such pages against N plain-text files.
The contenders are not dependencies of the package: ``pip install trafilatura
readability-lxml selectolax`` first (an approach whose library is missing is skipped).

    python benchmarks/bench_html_extract.py --pages 300 --load 10000 --jobs 2
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stackwise_analysis import load_corpus  # noqa: E402
from stackwise_analysis.corpus import house_format  # noqa: E402
from stackwise_analysis.parse import Article, ParseError, decode, parse_article  # noqa: E402

CHROME = ("Skip to content", "Stackwise Health", "Supplements", "Hannah Cole", "min read",
          "Advertisement", "miracle cure", "100% safe", "Related reading", "rights reserved",
          "Subscribe", "cookies", "Previous:", "dataLayer", "Most read", "Share this")


# ------------------------------------------------------------------------------ pages
def _blocks_html(article: Article, plain: Path) -> str:
    """The article's body as ``<p>``/``<h2>``/``<ul>`` markup."""
    out = [f"<p>{escape(p)}</p>" for p in article.intro.split("\n\n") if p]
    for section in article.sections:
        out.append(f"<h2>{escape(section.heading)}</h2>")
        if section.bullets:
            out.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b, _ in section.bullets)
                       + "</ul>")
        else:
            out += [f"<p>{escape(p)}</p>" for p in "\n".join(section.lines).split("\n\n") if p]
    if article.disclaimer:
        out.append(f'<p class="disclaimer">{escape(article.disclaimer)}</p>')
    return "\n".join(out)


def _head(title: str) -> str:
    return (f"<head><meta charset='utf-8'><title>{escape(title)} | Stackwise Health</title>"
            "<script>window.dataLayer=window.dataLayer||[];</script>"
            "<style>.badge{font-weight:bold}</style></head>")


SIDEBAR = ("<h3>Related reading</h3><ul><li><a>The miracle cure nobody mentions</a></li>"
           "<li><a>Why ice baths are 100% safe</a></li></ul>")


def page(article: Article, plain: Path, theme: int) -> str:
    """``article`` as a served page in one of three themes."""
    title, label, body = escape(article.title), escape(article.risk_label_raw or ""), \
        _blocks_html(article, plain)
    badge = f"<div class='badge'>{label}</div>" if label else ""
    if theme == 0:  # WordPress-style semantic markup
        return (f"<!DOCTYPE html><html>{_head(article.title)}<body>\n"
                "<a class='skip-link screen-reader-text' href='#c'>Skip to content</a>\n"
                "<header><p>Stackwise Health</p><nav><a>Therapies</a> <a>Supplements</a></nav>"
                "</header>\n<main><article><header><h1>" + title + "</h1><div class='meta'>"
                "By Hannah Cole · 6 min read</div></header>\n" + badge + "\n"
                "<div class='ad' aria-hidden='true'>Advertisement</div>\n" + body +
                "\n<footer>Share this: <a>Email</a></footer></article>\n"
                "<nav><a>Previous: Saunas</a></nav></main>\n<aside>" + SIDEBAR + "</aside>\n"
                "<footer><p>© 2026 Stackwise Health. All rights reserved.</p></footer>\n"
                "<script>gtag('js', new Date());</script></body></html>")
    if theme == 1:  # Ghost-style: post cards (<article>s) in the sidebar
        return (f"<!DOCTYPE html><html>{_head(article.title)}<body>\n"
                "<header class='gh-head'><a>Stackwise Health</a><nav><a>Supplements</a></nav>"
                "<a class='gh-head-button'>Subscribe</a></header>\n<main class='site-main'>"
                "<article class='post'><header class='article-header'><h1>" + title + "</h1>"
                "<h4 class='author-name'>Hannah Cole</h4><span>6 min read</span>" + badge +
                "</header>\n<section class='gh-content'>" + body + "</section></article>"
                "</main>\n<aside class='read-more'><article class='post-card'><h2>The miracle"
                " cure nobody mentions</h2><p>Why ice baths are 100% safe</p></article>"
                "</aside>\n<footer>© 2026 Stackwise Health. All rights reserved.</footer>"
                "</body></html>")
    # an old theme: nothing but divs; the article is the densest block
    return (f"<html>{_head(article.title)}<body>\n<div id='top'><div class='logo'>"
            "Stackwise Health</div><div class='menu'><a>Supplements</a> | <a>Subscribe</a>"
            "</div></div>\n<div id='cookie' style='display:none'>We use cookies.</div>\n"
            "<div id='wrap'><div id='left'><div class='box'><b>Most read</b><br>"
            "<a>The miracle cure nobody mentions</a><br><a>Why ice baths are 100% safe</a>"
            "</div></div>\n<div id='content'><h1>" + title + "</h1>" + badge + "\n" + body +
            "</div></div>\n<div id='bottom'>© 2026 Stackwise Health. All rights reserved."
            "</div></body></html>")


def sample(pages: int) -> list[tuple[Article, str]]:
    """(plain-text article, page) pairs, cycling through the samples and themes."""
    fmt = house_format()
    plain = []
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        try:
            plain.append((parse_article(decode(path.read_bytes()), fmt), path))
        except ParseError:
            continue
    return [(plain[i % len(plain)][0], page(*plain[i % len(plain)], theme=i % 3))
            for i in range(pages)]


# ------------------------------------------------------------------------------ approaches
def ours(html: str, fmt) -> Article:
    return parse_article(html, fmt, "html")


def _markdown(title: str | None, blocks) -> str:
    lines = [f"# {title}", ""] if title else []
    for kind, text in blocks:
        prefix = {"title": "# ", "heading": "## ", "bullet": "- "}.get(kind, "")
        if kind != "bullet" and lines and lines[-1].startswith("- "):
            lines.append("")
        lines += [prefix + text] if kind == "bullet" else [prefix + text, ""]
    return "\n".join(lines)


def ours_selectolax(html: str, fmt) -> Article:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    tree.strip_tags(["nav", "aside", "script", "style", "noscript", "form", "button",
                     "template", "iframe", "svg"])
    for node in tree.css("[hidden], [aria-hidden=true], .screen-reader-text, .sr-only"):
        node.decompose()
    for node in tree.css("[style]"):
        if re.search(r"display\s*:\s*none", node.attributes.get("style") or ""):
            node.decompose()
    root = (max(tree.css("article"), key=lambda n: len(n.text()), default=None)
            or tree.css_first("main") or _densest_selectolax(tree))
    for part in root.css("header, footer"):
        keep = [n for n in part.css("h1, .badge") if n is not part]
        for node in keep:
            part.insert_before(node)
        part.decompose()
    blocks = []
    for node in root.css("h1, h2, h3, h4, p, li, div"):
        inner = {"p", "div", "h1", "h2", "h3", "ul", "li"}
        if node.tag == "div" and any(c.tag in inner for c in node.traverse()
                                     if c.mem_id != node.mem_id):
            continue
        text = " ".join(node.text(deep=True).split())
        if text:
            blocks.append(({"h1": "title", "h2": "heading", "h3": "heading", "h4": "heading",
                            "li": "bullet"}.get(node.tag, "text"), text))
    title = None if blocks and blocks[0][0] == "title" else _title_tag(tree)
    return parse_article(_markdown(title, blocks), fmt, "markdown")


def _densest_selectolax(tree):
    score: dict = {}
    for p in tree.css("p, li, h2"):
        parent = p.parent.parent if p.tag == "li" else p.parent
        score[parent.mem_id] = (score.get(parent.mem_id, (0, parent))[0] + len(p.text()),
                                parent)
    return max(score.values(), key=lambda s: s[0])[1] if score else tree.body


def _title_tag(tree) -> str | None:
    node = tree.css_first("title")
    return node.text().split(" | ")[0].strip() if node else None


def trafilatura_md(html: str, fmt) -> Article:
    import trafilatura

    result = trafilatura.bare_extraction(html, output_format="python", include_formatting=True,
                                         include_comments=False, include_tables=False,
                                         with_metadata=True)
    text = trafilatura.extract(html, output_format="markdown", include_formatting=True,
                               include_comments=False, include_tables=False) or ""
    title = result.title if result is not None else None
    if title and not text.lstrip().startswith("# "):
        text = f"# {title}\n\n{text}"
    return parse_article(text, fmt, "markdown")


def readability_lxml(html: str, fmt) -> Article:
    from readability import Document

    doc = Document(html)
    return parse_article(f"<h1>{escape(doc.short_title())}</h1>{doc.summary(html_partial=True)}",
                         fmt, "html")


def before(html: str, fmt) -> Article:
    """The reader as it was: every h1-h4/p/li of the page, scripts, nav and footer dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "nav", "footer", "template"]):
        hidden.decompose()
    blocks = []
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "p", "li"]):
        text = " ".join(tag.get_text(" ").split())
        if text:
            blocks.append(({"h1": "title", "li": "bullet"}.get(tag.name, "heading")
                           if tag.name[0] in "hl" else "text", text))
    return parse_article(_markdown(None, blocks), fmt, "markdown")


APPROACHES = {"ours (lxml)": ours, "ours on selectolax": ours_selectolax,
              "trafilatura": trafilatura_md, "readability-lxml": readability_lxml,
              "before (bs4)": before}


# ------------------------------------------------------------------------------ scoring
def _texts(article: Article) -> list[str]:
    return [article.intro, article.disclaimer or "", article.title,
            *("\n".join(s.lines) for s in article.sections)]


def _paragraphs(article: Article) -> list[tuple[str | None, list[str]]]:
    return [(s.key, [line for line in s.lines if line.strip()]) for s in article.sections]


def right(got: Article, want: Article) -> dict[str, bool]:
    # chrome text that the article itself does not say (an article may say "miracle")
    chrome = [m for m in CHROME if not any(m in t for t in _texts(want))]
    return {
        "title": got.title == want.title,
        "label": got.risk_label_raw == want.risk_label_raw,
        "sections": _paragraphs(got) == _paragraphs(want),
        "risks": ([b for s in got.sections for b, _ in s.bullets]
                  == [b for s in want.sections for b, _ in s.bullets]),
        "disclaimer": got.disclaimer == want.disclaimer,
        "no chrome": not any(m in t for m in chrome for t in _texts(got)),
    }


def compare(pages: int) -> None:
    fmt = house_format()
    pairs = sample(pages)
    print(f"{pages} pages ({len(pairs) // 3} per theme, 3 themes); share of pages right, and "
          "speed (one process)\n")
    header = ["approach", "title", "label", "sections", "risks", "disclaimer", "no chrome",
              "all", "pages/s"]
    print("  ".join(f"{h:>10}" if i else f"{h:<20}" for i, h in enumerate(header)))
    for name, approach in APPROACHES.items():
        try:
            approach(pairs[0][1], fmt)
        except ImportError as exc:
            print(f"{name:<20}  skipped: {exc}")
            continue
        scores: dict[str, int] = {}
        start = time.perf_counter()
        for want, html in pairs:
            try:
                got = right(approach(html, fmt), want)
            except ParseError:
                got = dict.fromkeys(header[1:7], False)
            got["all"] = all(got.values())
            for key, ok in got.items():
                scores[key] = scores.get(key, 0) + ok
        rate = len(pairs) / (time.perf_counter() - start)
        cells = [f"{scores[h] / len(pairs):>10.0%}" for h in header[1:8]]
        print(f"{name:<20}  " + "  ".join(cells) + f"  {rate:>10,.0f}")


def load_speed(n: int, jobs: int) -> None:
    """load_corpus on ``n`` served pages and on ``n`` plain-text files."""
    out = REPO / "benchmarks" / "corpora" / f"html{n}"
    plain_out = REPO / "benchmarks" / "corpora" / f"txt{n}"
    for folder in (out, plain_out):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    pairs = sample(n)
    for i, (article, html) in enumerate(pairs):
        (out / f"{i:07d}.html").write_text(html, encoding="utf-8")
        sections = "".join(f"{s.heading}\n\n" + "\n".join(
            f"  • {b}" for b, _ in s.bullets) + "\n".join(s.lines) + "\n\n"
            for s in article.sections)
        (plain_out / f"{i:07d}.txt").write_text(
            f"{article.title}\n\n{article.risk_label_raw}\n\n{article.intro}\n\n{sections}"
            f"{article.disclaimer or ''}\n", encoding="utf-8")
    print(f"\nload_corpus, {n:,} files, jobs={jobs}")
    for name, folder in (("served HTML pages", out), ("plain text", plain_out)):
        start = time.perf_counter()
        corpus = load_corpus(folder, jobs=jobs, progress=False)
        seconds = time.perf_counter() - start
        mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"  {name:<18} {seconds:6.1f} s  {n / seconds:8,.0f} articles/s  "
              f"{mb / seconds:5.1f} MB/s  ({len(corpus.articles):,} articles, "
              f"{len(corpus.errors)} errors, {mb:.0f} MB)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages to compare on")
    parser.add_argument("--load", type=int, default=0, help="also time load_corpus on this "
                        "many pages (0: skip)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for --load")
    args = parser.parse_args(argv)
    compare(args.pages)
    if args.load:
        load_speed(args.load, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
