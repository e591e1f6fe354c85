"""Headline tables about a corpus: label counts, missing sections, load errors."""

from __future__ import annotations

import pandas as pd

from .corpus import Corpus
from .styleguide import Styleguide, as_styleguide


def corpus_summary(corpus: Corpus, styleguide: Styleguide | None = None) -> dict[str, pd.DataFrame]:
    """Three small tables a person reads first.

    Returns
    -------
    dict with
        ``risk_levels``: articles per risk level (``(none)`` for a missing or unknown label);
        ``missing_sections``: per house section, how many articles lack it;
        ``errors``: the files that could not be read, with the reason.

    Examples
    --------
    >>> sorted(corpus_summary(corpus))
    ['errors', 'missing_sections', 'risk_levels']
    """
    sg = as_styleguide(styleguide)
    articles = corpus.articles
    levels = (articles["risk_level"].astype("string").fillna("(none)")
              .value_counts().reindex(["Low", "Moderate", "High", "(none)"], fill_value=0))
    risk_levels = levels.rename_axis("risk_level").reset_index(name="articles")
    present = corpus.sections.dropna(subset=["section"]).groupby("section")["article_id"].nunique()
    missing = pd.DataFrame({
        "section": [s["key"] for s in sg.sections],
        "heading": [s["heading"] for s in sg.sections],
    })
    missing["articles_missing"] = (len(articles)
                                   - missing["section"].map(present).fillna(0).astype(int))
    return {"risk_levels": risk_levels, "missing_sections": missing,
            "errors": corpus.errors.copy()}
