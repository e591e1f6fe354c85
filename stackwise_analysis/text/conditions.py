"""The condition vocabulary: diseases, symptoms, disease agents and markers a claim can name.

The terms come from ``data/condition_terms.tsv``, which ``scripts/build_condition_terms.py``
builds from the Human Phenotype Ontology and ICD-10-CM; the package ships the file, so nothing
is read from the network. A style guide adds or removes terms through the loader's arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd

TERMS_FILE = "condition_terms.tsv"
KINDS = ("disease", "symptom", "agent", "marker")
COLUMNS = ["term", "kind", "source"]
EXTRA_SOURCE = "styleguide"


@cache
def _packaged_terms() -> pd.DataFrame:
    with resources.files("stackwise_analysis").joinpath("data", TERMS_FILE).open("rb") as fh:
        return pd.read_csv(fh, sep="\t", comment="#", dtype=str, keep_default_na=False)


def _term(text: str) -> str:
    """A term as the file spells it: lower case, single spaces."""
    return " ".join(str(text).lower().split())


def _extra_rows(extra: Iterable[str | tuple[str, str]]) -> pd.DataFrame:
    rows = []
    for item in extra:
        term, kind = (item, "disease") if isinstance(item, str) else item
        if kind not in KINDS:
            raise ValueError(f"condition term {term!r}: kind {kind!r} is not one of "
                             f"{', '.join(KINDS)}")
        if not _term(term):
            raise ValueError("condition terms: an added term is empty")
        rows.append((_term(term), kind, EXTRA_SOURCE))
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)


def load_condition_terms(extra: Iterable[str | tuple[str, str]] = (),
                         remove: Iterable[str] = ()) -> pd.DataFrame:
    """The packaged condition vocabulary with a style guide's additions and removals.

    Parameters
    ----------
    extra : iterable of str or (str, str)
        Terms to add, each a term (kind ``"disease"``) or a ``(term, kind)`` pair with kind one
        of ``"disease"``, ``"symptom"``, ``"agent"``, ``"marker"``. Case and spacing do not
        matter. An added term that the file already has takes the given kind, and its source
        becomes ``"styleguide"``.
    remove : iterable of str
        Terms to drop, matched case-insensitively against whole terms. A term the vocabulary
        does not have is ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``term`` (lower case), ``kind`` and ``source`` (``hpo:HP:…``, ``icd10cm:…``,
        ``house`` or ``styleguide``), one row per term, sorted by term, with a fresh index.

    Raises
    ------
    ValueError
        An added term is empty or has an unknown kind.

    Examples
    --------
    >>> terms = load_condition_terms(extra=[("leaky gut", "disease")], remove=["Flu"])
    >>> terms.loc[terms["term"] == "high blood pressure", "source"].item()
    'hpo:HP:0000822'
    >>> terms.loc[terms["term"] == "leaky gut", "source"].item()
    'styleguide'
    >>> "flu" in set(terms["term"])
    False
    """
    added = _extra_rows(extra)
    dropped = {_term(term) for term in remove}
    base = _packaged_terms()
    terms = pd.concat([base[~base["term"].isin(added["term"])], added], ignore_index=True)
    terms = terms[~terms["term"].isin(dropped)]
    return terms.sort_values("term", ignore_index=True)[COLUMNS]
