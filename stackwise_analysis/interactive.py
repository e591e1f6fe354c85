"""Searchable tables for the notebook reports: search, sort and a filter per column.

The tables are DataTables through ``itables`` in its offline mode: ``ReviewTables.setup``
embeds the library's JavaScript and CSS (shipped inside the ``itables`` package) once per
notebook, so the exported HTML reports work with no network, as JupyterLab does. In a
report run, each ``article_id`` with a review page links to it (``articles/<id>.html``
beside the HTML report).

Every text value is escaped here before it reaches the table, because the tables are told
to render HTML (for the links) and article text is untrusted input.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path

import pandas as pd

from .pages import PAGES_DIR, page_href

#: A findings table shows at most this many rows (worst first); the rest are in the exports.
MAX_INTERACTIVE_ROWS = 20_000
#: Characters of evidence a table shows (the exports keep it whole).
TABLE_EVIDENCE = 200
#: DataTables options every table gets: no row index, no downsampling (the row cap above
#: decides), per-column order and search controls, and no loading logo (it is a web link).
TABLE_OPTIONS = {
    "showIndex": False, "maxBytes": 0, "allow_html": True, "connected": False,
    "display_logo_when_loading": False, "classes": "display compact",
    "columnControl": ["order", ["orderAsc", "orderDesc", "search"]],
    "ordering": {"indicators": False, "handler": False},
    "layout": {"topStart": "pageLength", "topEnd": "search", "bottomStart": "info",
               "bottomEnd": "paging"},
    # text reads from the left (the notebook stylesheet right-aligns every table cell)
    "css": ".dt-container table.dataTable th, .dt-container table.dataTable td "
           "{ text-align: left; }",
}


class ReviewTables:
    """Interactive tables for a notebook, linking articles to their review pages.

    Parameters
    ----------
    pages : mapping, optional
        article_id -> page path relative to the HTML report; None or empty for no links.

    Examples
    --------
    >>> review = ReviewTables({"001_ashwagandha_stress": "articles/001_ashwagandha_stress.html"})
    >>> "articles/001_ashwagandha_stress.html" in review.html(result.findings.head(3))
    True
    """

    def __init__(self, pages: Mapping[str, str] | None = None) -> None:
        self.pages = dict(pages or {})

    @classmethod
    def beside(cls, snapshot: str | Path | None) -> ReviewTables:
        """Tables linking to the pages of the report run that holds ``snapshot`` (its
        ``articles/`` folder sits beside it); no links when there is no snapshot.

        >>> ReviewTables.beside(None).pages
        {}
        """
        if snapshot is None:
            return cls()
        folder = Path(snapshot).parent / PAGES_DIR
        if not folder.is_dir():
            return cls()
        return cls({p.stem: page_href(p.stem) for p in folder.glob("*.html")})

    def setup(self) -> None:
        """Embed DataTables' JavaScript and CSS in the notebook's output (once per
        notebook, before the first table): the tables then work offline."""
        import itables

        # the loading logo is a picture wrapped in a web link: leave it out
        itables.options.display_logo_when_loading = False
        itables.init_notebook_mode(all_interactive=False, connected=False)

    def html(self, frame: pd.DataFrame, *, note: str | None = None) -> str:
        """The interactive table of ``frame`` as HTML, with ``note`` as a line above it."""
        import itables

        table = itables.to_html_datatable(_escaped(frame, self.pages), **TABLE_OPTIONS)
        return (f'<p class="stackwise-table-note">{escape(note)}</p>' if note else "") + table

    def show(self, frame: pd.DataFrame, *, note: str | None = None):
        """``frame`` as an interactive table (what a notebook cell displays)."""
        from IPython.display import HTML

        return HTML(self.html(frame, note=note))

    def findings(self, findings: pd.DataFrame, audit: str | None = None, *,
                 min_severity: str = "info", styleguide=None,
                 limit: int = MAX_INTERACTIVE_ROWS, new_first: bool = False):
        """Every finding of ``audit`` (or all audits) at ``min_severity`` or worse, worst
        first (with ``new_first``, new findings before open ones of the same severity),
        searchable; past ``limit`` rows, the worst ``limit`` and a line saying where the
        rest are."""
        from .audits.findings import shorten
        from .tables import count_findings, findings_table

        table = findings_table(findings, audit, min_severity=min_severity, limit=limit,
                               styleguide=styleguide, new_first=new_first)
        total = count_findings(findings, audit, min_severity=min_severity)
        note = None
        if total > limit:
            note = (f"The worst {limit:,} of {total:,} findings; findings.xlsx and "
                    "findings.csv beside this report list them all.")
        if "evidence" in table.columns:
            table["evidence"] = table["evidence"].map(shorten, na_action="ignore")
        return self.show(table, note=note)

    def articles(self, frame: pd.DataFrame):
        """A table of articles (``article_id`` first), each linked to its page if any."""
        return self.show(frame)


def _escaped(frame: pd.DataFrame, pages: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` safe to render as HTML: text escaped, NA empty, numbers as they
    are, and each ``article_id`` with a page a link to it."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = values.cat.rename_categories(
                [escape(str(c)) for c in values.cat.categories])
        elif pd.api.types.is_float_dtype(values.dtype):
            rounded = values.astype("Float64").round(1)
            out[column] = rounded.astype(object).where(rounded.notna(), "")
        elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
                values.dtype):
            out[column] = values.astype(object).where(values.notna(), "")
        else:
            out[column] = ["" if pd.isna(v) else escape(str(v)) for v in values.astype(object)]
    table = pd.DataFrame(out, index=range(len(frame)))
    if "article_id" in frame.columns and pages:
        ids = frame["article_id"].astype("string").to_numpy()
        table["article_id"] = [
            "" if pd.isna(i) else
            f'<a href="{escape(pages[i])}">{escape(i)}</a>' if i in pages else escape(i)
            for i in ids]
    return table


__all__ = ["MAX_INTERACTIVE_ROWS", "ReviewTables"]
