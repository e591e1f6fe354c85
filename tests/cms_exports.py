"""Render a house-format article the ways a CMS exports it: a served HTML page with its site
chrome, Markdown with front matter, one JSON Lines record. Tests build these at run time
(the reference article's text is never committed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from article_text import HEADINGS

#: Text that only the page chrome and the front matter carry: none of it may reach an
#: article's intro, sections or disclaimer.
CHROME_MARKERS = (
    "Skip to content", "Stackwise Health", "Therapies, explained plainly", "Supplements",
    "Mind & Body", "Hannah Cole", "min read", "Updated", "Advertisement", "miracle cure",
    "100% safe", "Related reading", "All rights reserved", "Subscribe", "weekly digest",
    "dataLayer", "Share this", "Tagged", "cookies", "Previous:", "schema.org", "slug",
    "last_reviewed", "2026-01-13", "mind-body", "draft",
)


@dataclass
class Parts:
    """An article cut into what an exporter needs."""

    title: str
    label: str | None
    intro: list[str]
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    disclaimer: str | None = None


def split_house_text(text: str) -> Parts:
    """Cut a plain-text house export at its blank lines (headings known by their house
    spelling, bullets by their marker)."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").lstrip("\ufeff").split("\n\n")]
    blocks = [b for b in blocks if b]
    parts = Parts(title=blocks[0], label=None, intro=[])
    rest = blocks[1:]
    if rest and rest[0].lower().endswith("risk"):
        parts.label, rest = rest[0], rest[1:]
    known = {h.lower() for h in HEADINGS.values()}
    for block in rest:
        if block.lower() in known:
            parts.sections.append((block, []))
        elif block.startswith("The information provided by Stackwise"):
            parts.disclaimer = block
        elif block.lstrip().startswith(("•", "-", "*")):
            parts.risks += [ln.strip().lstrip("•-* ").strip() for ln in block.splitlines()]
        elif parts.sections:
            parts.sections[-1][1].append(block)
        else:
            parts.intro.append(block)
    return parts


def _p(paragraphs: list[str]) -> str:
    return "\n".join(f"    <p>{escape(p)}</p>" for p in paragraphs)


def html_page(parts: Parts) -> str:
    """The article as a WordPress-style theme serves it, chrome and all."""
    body = [_p(parts.intro), '    <div class="ad-slot" aria-hidden="true">Advertisement</div>']
    for heading, paragraphs in parts.sections:
        body.append(f'    <h2 class="wp-block-heading">{escape(heading)}</h2>')
        if heading.lower() == "health risks":
            body.append('    <ul class="wp-block-list">\n'
                        + "\n".join(f"      <li>{escape(r)}</li>" for r in parts.risks)
                        + "\n    </ul>")
        body.append(_p(paragraphs))
    if parts.disclaimer:
        body.append(f'    <p class="disclaimer"><em>{escape(parts.disclaimer)}</em></p>')
    badge = (f'  <div class="risk-badge risk-badge--{parts.label.split()[0].lower()}">'
             f'{escape(parts.label)}</div>\n' if parts.label else "")
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{escape(parts.title)} | Stackwise Health</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"MedicalWebPage"}}</script>
<style>.risk-badge{{font-weight:700}}</style>
</head>
<body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="cookie-notice" hidden>We use cookies to improve your visit. <button>OK</button></div>
<header id="masthead" class="site-header">
  <p class="site-title"><a href="/">Stackwise Health</a></p>
  <p class="site-description">Therapies, explained plainly</p>
  <nav id="site-navigation"><ul><li><a href="/therapies/">Therapies</a></li>
    <li><a href="/supplements/">Supplements</a></li>
    <li><a href="/mind-body/">Mind &amp; Body</a></li></ul></nav>
</header>
<div id="content" class="site-content">
<main id="primary" class="site-main">
<article id="post-1042" class="post type-post status-publish">
  <header class="entry-header">
    <nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/therapies/">Therapies</a></nav>
    <h1 class="entry-title">{escape(parts.title)}</h1>
    <div class="entry-meta">By <a href="/author/hcole/">Hannah Cole</a> &middot;
      <time datetime="2026-01-13">Updated January 13, 2026</time> &middot; 6 min read</div>
  </header>
{badge}  <div class="entry-content">
{chr(10).join(body)}
  </div>
  <footer class="entry-footer">
    <span class="tags-links">Tagged <a>breathing</a>, <a>stress</a></span>
    <div class="share">Share this: <a>Facebook</a> <a>Email</a></div></footer>
</article>
<nav class="post-navigation"><a rel="prev">Previous: Infrared saunas</a></nav>
<section class="newsletter"><h2>Get our weekly digest</h2>
  <form><input type="email" placeholder="you@example.com"><button>Subscribe</button></form>
</section>
</main>
<aside id="secondary" class="widget-area"><section class="widget">
  <h2 class="widget-title">Related reading</h2>
  <ul><li><a href="/x/">The miracle cure doctors won't mention</a></li>
      <li><a href="/y/">Why cold plunges are 100% safe</a></li></ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><p>&copy; 2026 Stackwise Health. All rights reserved.</p>
  <p><a href="/privacy/">Privacy Policy</a> &middot; <a href="/terms/">Terms of Service</a></p>
</footer>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}</script>
</body>
</html>
"""


def markdown_export(parts: Parts, last_reviewed: str = "2026-01-13") -> str:
    """The article as a static-site generator or headless CMS writes it: YAML front matter,
    ``#`` title, a bold label, ``##`` headings, bullets in mixed markers."""
    front = ["---", f"title: {json.dumps(parts.title)}", "slug: reference-article",
             f"risk: {parts.label.split()[0] if parts.label else 'null'}",
             "author: Hannah Cole", "category: mind-body", "tags: [breathing, stress]",
             f"last_reviewed: {last_reviewed}", "draft: false", "---", ""]
    lines = [f"# {parts.title}", ""]
    if parts.label:
        lines += [f"**{parts.label}**", ""]
    lines += [p + "\n" for p in parts.intro]
    markers = "-*+"
    for heading, paragraphs in parts.sections:
        lines += [f"## {heading}", ""]
        if heading.lower() == "health risks":
            lines += [f"{markers[i % 3]} {r}" for i, r in enumerate(parts.risks)] + [""]
        lines += [p + "\n" for p in paragraphs]
    if parts.disclaimer:
        lines += [f"_{parts.disclaimer}_", ""]
    return "\n".join(front + lines)


def jsonl_record(parts: Parts, record_id: str, last_reviewed: str = "2026-01-13") -> str:
    """The article as one line of a headless CMS's JSON Lines dump: title and label as
    fields, the body as HTML without them."""
    body = "".join(f"<p>{escape(p)}</p>" for p in parts.intro)
    for heading, paragraphs in parts.sections:
        body += f"<h2>{escape(heading)}</h2>"
        if heading.lower() == "health risks":
            body += "<ul>" + "".join(f"<li>{escape(r)}</li>" for r in parts.risks) + "</ul>"
        body += "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if parts.disclaimer:
        body += f"<p>{escape(parts.disclaimer)}</p>"
    return json.dumps({
        "id": record_id, "slug": "reference-article", "status": "published",
        "title": parts.title, "risk_label": parts.label, "author": "Hannah Cole",
        "category": "mind-body", "tags": ["breathing", "stress"],
        "published_at": "2025-04-01T08:30:00.000Z", "last_reviewed": last_reviewed,
        "feature_image": None, "body_html": body,
    }, ensure_ascii=False)
