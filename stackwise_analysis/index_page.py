"""Render a report run's index.html: headline numbers, notebook reports, exports, failures."""

from __future__ import annotations

from html import escape
from pathlib import Path

from .audits.findings import plural
from .constants import AUDITS, EXIT_FINDINGS, EXIT_NOTEBOOK, EXIT_OK, SEVERITIES
from .pages import page_href

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; background: #fff;
       min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d0d7de;
     padding-bottom: .3rem; }
.meta { color: #57606a; font-size: .85rem; }
.verdict { padding: .7rem 1rem; border-radius: 6px; margin: 1rem 0; font-weight: 600; }
.verdict.ok { background: #dafbe1; } .verdict.findings { background: #fff8c5; }
.verdict.failed { background: #ffebe9; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .9rem; min-width: 7.5rem; }
.card b { display: block; font-size: 1.6rem; }
.card.blocker b { color: #c9372c; } .card.warning b { color: #9a6700; }
.cards.since { margin-top: .8rem; } .card.new b { color: #8250df; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #eaeef2;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-ok { color: #1a7f37; font-weight: 600; }
.status-failed { color: #c9372c; font-weight: 600; }
pre.error { white-space: pre-wrap; background: #ffebe9; padding: .5rem; border-radius: 4px;
            margin: .3rem 0 0; font-size: .8rem; }
"""

#: What each export is, as the index lists it.
EXPORTS = {
    "findings.xlsx": "a sheet per audit, worst first, filters on (for reviewers)",
    "findings.csv": "every finding, one row each",
    "articles.csv": "one row per article with its finding counts and status",
    "fixed.csv": "findings of the previous run that are gone in this one",
    "findings.sarif": "SARIF 2.1.0, for code-review tools to annotate the articles' lines",
    "summary.json": "run facts and counts, for machines",
    "run.log": "what the run did, step by step",
}
def found_text(by_severity: dict) -> str:
    """What a run found, worst first and agreeing in number.

    >>> found_text({"info": 3, "warning": 0, "blocker": 1})
    '1 blocker and 3 infos'
    >>> found_text({})
    'no findings'
    """
    parts = [f"{n} {plural(n, s)}" for s in reversed(SEVERITIES)
             if (n := int(by_severity.get(s, 0)))]
    if not parts:
        return "no findings"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def verdict(summary: dict) -> tuple[str, str]:
    """The banner's class and sentence: what the run found, whatever ``--fail-on`` says,
    and what that means for its exit code.

    >>> verdict({"exit_code": 0, "fail_on": "never",
    ...          "findings": {"by_severity": {"blocker": 14}}})
    ('findings', '14 blockers; this run does not fail on them (--fail-on never).')
    >>> verdict({"exit_code": 0, "fail_on": "blocker", "findings": {"by_severity": {}}})
    ('ok', 'Clean: no findings.')
    """
    code, fail_on = summary["exit_code"], summary["fail_on"]
    by_severity = summary["findings"]["by_severity"]
    found = found_text(by_severity)
    if code == EXIT_NOTEBOOK:
        return "failed", (f"A notebook failed; its report below shows the error. The audit "
                          f"found {found}.")
    if code == EXIT_FINDINGS:
        return "findings", (f"{found[0].upper()}{found[1:]}; this run fails on {fail_on} "
                            "and above: see the compliance review and findings.xlsx.")
    if code != EXIT_OK:
        return "failed", f"The run failed; it found {found}."
    if not any(by_severity.get(s, 0) for s in SEVERITIES):
        return "ok", "Clean: no findings."
    gate = ("--fail-on never" if fail_on == "never"
            else f"it fails only on {fail_on} and above")
    return "findings", f"{found[0].upper()}{found[1:]}; this run does not fail on them ({gate})."


def _cards(summary: dict) -> str:
    corpus = summary["corpus"]
    by_severity = summary["findings"]["by_severity"]
    cards = [("articles audited", corpus["articles"], ""),
             ("files not read", corpus["files_not_read"], ""),
             *[(f"{s} findings", by_severity.get(s, 0), s) for s in reversed(SEVERITIES)]]
    status = summary.get("articles_by_status", {})
    cards += [(f"articles {s}", status[s], "") for s in ("fail", "warn", "pass") if s in status]
    return "".join(f'<div class="card {cls}"><b>{value}</b>{escape(label)}</div>'
                   for label, value, cls in cards)


def _since_previous(summary: dict) -> str:
    """New and fixed findings beside the headline numbers, and a link to the previous run."""
    since = summary.get("since_previous")
    if "since_previous" not in summary:  # a run without the history store's fields
        return ""
    if since is None:
        text = ("First recorded run on this corpus: every finding is new."
                if summary.get("history") else "No history store: every finding is new.")
        return f'<p class="meta">{escape(text)}</p>'
    cards = "".join(f'<div class="card {cls}"><b>{since[key]}</b>{escape(label)}</div>'
                    for key, label, cls in (("new", "new since the previous run", "new"),
                                            ("fixed", "fixed since the previous run", ""),
                                            ("open", "still open", "")))
    previous = summary.get("previous_run") or {}
    name = escape(str(since["run_id"]))
    link = (f'<a href="{escape(previous["index"])}">{name}</a>' if previous.get("index")
            else name)
    only = " Only new findings count for the exit code (--new-only)." if summary.get(
        "new_only") else ""
    return (f'<div class="cards since">{cards}</div>'
            f'<p class="meta">Compared with the previous run {link}.{escape(only)}</p>')


def _waived(summary: dict) -> str:
    """Reviewers' decisions apart from the other counts: waived findings by severity and
    the waivers that expired or match nothing.

    >>> _waived({"waivers": {"file": "waivers.yml", "entries": 3, "waived": 2, "expired": 1,
    ...          "stale": 0, "waived_by_severity": {"blocker": 2}}})
    '<div class="cards since"><div class="card "><b>2</b>waived by reviewers</div>...'
    """
    waivers = summary.get("waivers")
    if not waivers or not waivers.get("file"):
        return ""
    cards = "".join(f'<div class="card "><b>{waivers[key]}</b>{escape(label)}</div>'
                    for key, label in (("waived", "waived by reviewers"),
                                       ("expired", "waivers expired"),
                                       ("stale", "waivers matching nothing")))
    found = found_text(waivers.get("waived_by_severity", {}))
    text = (f"Waived ({found}) by {waivers['entries']} decision(s) in {waivers['file']}: "
            "still listed in every export with status waived, never counted for the exit "
            "code.")
    return f'<div class="cards since">{cards}</div><p class="meta">{escape(text)}</p>'


def _counts_table(summary: dict) -> str:
    by_audit = summary["findings"]["by_audit"]
    head = "".join(f'<th class="num">{escape(s)}</th>' for s in SEVERITIES)
    rows = "".join(
        f"<tr><td>{escape(a)}</td>"
        + "".join(f'<td class="num">{by_audit.get(a, {}).get(s, 0)}</td>' for s in SEVERITIES)
        + "</tr>" for a in AUDITS)
    return f"<table><tr><th>audit</th>{head}</tr>{rows}</table>"


def _notebook_rows(notebooks: list[dict]) -> str:
    rows = []
    for nb in notebooks:
        ok = nb["status"] == "ok"
        report = (f'<a href="{escape(nb["html"])}">{escape(nb["title"])}</a>' if nb.get("html")
                  else escape(nb["title"]))
        error = "" if ok else f'<pre class="error">{escape(nb.get("error") or "")}</pre>'
        rows.append(
            f"<tr><td>{report}{error}</td>"
            f'<td class="status-{"ok" if ok else "failed"}">{"ok" if ok else "FAILED"}</td>'
            f'<td><a href="{escape(nb["ipynb"])}">{escape(Path(nb["ipynb"]).name)}</a></td>'
            f'<td class="num">{nb["seconds"]:.1f} s</td></tr>')
    return ("<table><tr><th>report</th><th>status</th><th>executed notebook</th>"
            '<th class="num">time</th></tr>' + "".join(rows) + "</table>")


def _exports(files: list[str]) -> str:
    items = [f'<li><a href="{escape(name)}">{escape(name)}</a>: {escape(text)}</li>'
             for name, text in EXPORTS.items() if name in files]
    return "<ul>" + "".join(items) + "</ul>"


def _review_pages(summary: dict) -> str:
    """The worst articles, each linked to its review page, and how many flagged articles
    have no page because of ``--article-pages`` (empty when the run wrote no pages)."""
    pages = summary.get("article_pages")
    if not pages:
        return ""
    rows = []
    for row in pages["worst"]:
        name = escape(row["article_id"])
        # the id may hold any character a file name can: the link is percent-encoded
        link = (f'<a href="{escape(page_href(row["article_id"]))}">{name}</a>'
                if row.get("page") else name)
        cells = "".join(f'<td class="num">{row[s]}</td>' for s in reversed(SEVERITIES))
        rows.append(f"<tr><td>{link}</td><td>{escape(row.get('title') or '')}</td>{cells}</tr>")
    head = "".join(f'<th class="num">{escape(s)}</th>' for s in reversed(SEVERITIES))
    table = (f"<table><tr><th>article</th><th>title</th>{head}</tr>{''.join(rows)}</table>"
             if rows else "<p>No article has a finding at warning or above.</p>")
    written, left_out = pages["written"], pages["left_out"]
    note = (f"{written:,} of {pages['flagged']:,} flagged articles have a review page "
            "(articles/), worst first.")
    if left_out:
        note += (f" {left_out:,} flagged {plural(left_out, 'article')} left out by the cap "
                 f"of {pages['limit']:,} (--article-pages); findings.csv and findings.xlsx "
                 "list their findings.")
    return (f'<h2>Articles to review first</h2><p class="meta pages-note">{escape(note)}</p>'
            f"{table}")


# Over 50 lines: most of it is the page's HTML template, read best in one piece.
def render_index(summary: dict) -> str:
    """The run's index page as one HTML string with inline CSS and no scripts.

    ``summary`` is the run's summary.json content; every link is relative to the run
    folder, so the page works wherever the folder is copied.

    Examples
    --------
    >>> html = render_index(json.loads(Path("reports/latest/summary.json").read_text()))
    ... # doctest: +SKIP
    """
    kind, text = verdict(summary)
    failed = [nb for nb in summary["notebooks"] if nb["status"] != "ok"]
    failures = ""
    if failed:
        items = "".join(f"<li><b>{escape(nb['name'])}</b>: {escape(nb.get('error') or '')}</li>"
                        for nb in failed)
        failures = f"<h2>Failed notebooks</h2><ul>{items}</ul>"
    corpus = summary["corpus"]
    steps = ", ".join(f"{escape(k)} {v:.1f} s" for k, v in summary["steps"].items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stackwise report {escape(summary["run_id"])}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>Stackwise editorial report</h1>
<p class="meta">Run {escape(summary["run_id"])} &middot; started {escape(summary["started"])}
 &middot; {summary["duration_seconds"]:.1f} s &middot; stackwise-analysis
 {escape(summary["package_version"])}</p>
<div class="verdict {kind}">{escape(text)} (exit code {summary["exit_code"]})</div>
{failures}
<h2>Headline numbers</h2>
<div class="cards">{_cards(summary)}</div>
{_since_previous(summary)}
{_waived(summary)}
<h2>Reports</h2>
{_notebook_rows(summary["notebooks"])}
<h2>Findings by audit and severity</h2>
{_counts_table(summary)}
{_review_pages(summary)}
<h2>Exports</h2>
{_exports(summary["files"])}
<h2>About this run</h2>
<table>
<tr><th>corpus</th><td>{escape(str(corpus["source"]))}</td></tr>
<tr><th>metadata</th><td>{escape(str(corpus.get("metadata") or "none"))}</td></tr>
<tr><th>style guide</th><td>{escape(", ".join(corpus.get("styleguide") or []))}</td></tr>
<tr><th>corpus fingerprint</th><td><code>{escape(corpus["fingerprint"])}</code></td></tr>
<tr><th>staleness judged on</th><td>{escape(str(summary.get("as_of") or "run day"))}</td></tr>
<tr><th>fail on</th><td>{escape(summary["fail_on"])}</td></tr>
<tr><th>steps</th><td>{steps}</td></tr>
</table>
</main>
</body>
</html>
"""


__all__ = ["render_index"]
