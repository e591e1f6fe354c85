"""Medicine names: what a product is compared with or offered instead of ("as well as
sumatriptan", "a natural alternative to Ritalin").

The names come from ``data/medicine_names.txt``, which ``scripts/build_medicine_names.py``
builds from the ``drug-named-entity-recognition`` package's dictionary (medicines with a
MedlinePlus monograph, generic and brand names); the package ships the file, so nothing is read
from the network. The style guide's ``drug_names`` add to them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

NAMES_FILE = "medicine_names.txt"


@cache
def load_medicine_names() -> tuple[str, ...]:
    """The packaged medicine names, lower case, sorted.

    >>> names = load_medicine_names()
    >>> "sumatriptan" in names, "melatonin" in names
    (True, False)
    """
    text = resources.files("stackwise_analysis").joinpath("data", NAMES_FILE).read_text("utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))
