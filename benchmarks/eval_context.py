"""Evaluate medspaCy's ConText (and negspacy's NegEx) on the claim-context decision of issue 10.

For every development sentence whose label is a context decision (a claim asserted, hedged,
negated, reported, quoted, warned against, disclaimed, asked or a disease's own status) the
gold ``condition`` phrase is made the ConText target, and the modifiers around it decide one
of three outcomes: ``asserted``, ``hedged`` or ``not asserted``. Systems compared:

(a) medspaCy ConText with its default (clinical) rules;
(b) the same plus ``EXTRA_RULES`` below, written for marketing copy against this development
    set (so its development figures are in-sample; ``PROBES`` give a first look beyond it);
(c) negspacy's NegEx with its default termset (negation only: it never says "hedged");
ours, the project's own ``context_of``, once it exists.

medspaCy is deliberately not a project dependency; run this with a scratch environment::

    python3 -m venv /tmp/ctx-venv && /tmp/ctx-venv/bin/pip install medspacy negspacy pyyaml
    /tmp/ctx-venv/bin/python benchmarks/eval_context.py            # tables and speed
    /tmp/ctx-venv/bin/python benchmarks/eval_context.py --wrong    # + every wrong decision

Without medspaCy it prints how to install it and still scores ``ours`` when that imports.
Never point it at the held-out set while writing rules: that file is for the final check.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "tests" / "data" / "claims" / "dev.yml"
INSTALL_HINT = (
    "medspacy is not installed in this Python; it is an evaluation-only tool, not a project\n"
    "dependency. To run the comparison:\n"
    "    python3 -m venv /tmp/ctx-venv && /tmp/ctx-venv/bin/pip install medspacy negspacy pyyaml\n"
    "    /tmp/ctx-venv/bin/python benchmarks/eval_context.py"
)

ASSERTED, HEDGED, NOT_ASSERTED = "asserted", "hedged", "not asserted"
#: What the decision should be for each label the context step is responsible for.
EXPECTED = {
    "disease_claim": ASSERTED,
    "hedged_claim": HEDGED,
    "negated": NOT_ASSERTED,
    "reported": NOT_ASSERTED,
    "quoted": NOT_ASSERTED,
    "warning": NOT_ASSERTED,
    "disclaimer": NOT_ASSERTED,
    "question": NOT_ASSERTED,
    "disease_status": NOT_ASSERTED,
}
#: ConText categories that make the sentence someone else's (or nobody's) assertion.
BLOCKING = {
    "NEGATED_EXISTENCE",
    "HYPOTHETICAL",
    "REPORTED",
    "WARNING",
    "DISCLAIMER",
    "QUESTION",
    "QUOTED",
    "DISEASE_STATUS",
}
#: Categories that keep the claim but soften it. HISTORICAL and FAMILY say whose condition it
#: is, not whose assertion, so they neither block nor hedge.
HEDGING = {"POSSIBLE_EXISTENCE"}
TARGET_LABEL = "CONDITION"
#: Disclaimers carry no gold condition; their generic disease word stands in as the target.
DISCLAIMER_TARGETS = ("medical condition", "disease", "illness")


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------
def load_cases(path: Path) -> tuple[list[dict], list[dict]]:
    """Return (gold-condition cases, disclaimer cases with a generic target) from ``path``."""
    import yaml

    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        print(f"{path}: cannot read the labelled sentences ({error})", file=sys.stderr)
        sys.exit(2)
    gold, generic = [], []
    for entry in entries:
        label, text = entry.get("label"), entry.get("text", "")
        if label not in EXPECTED:
            continue
        phrase = entry.get("condition")
        if phrase:
            start = text.find(phrase)
            if start < 0:
                print(f"{path}: {entry['id']}: condition {phrase!r} is not in its text; skipped")
                continue
            gold.append({**entry, "start": start, "end": start + len(phrase)})
        elif label == "disclaimer":
            lowered = text.lower()
            hits = [(lowered.rfind(word), word) for word in DISCLAIMER_TARGETS]
            start, word = max(hits)
            if start >= 0:
                generic.append({**entry, "start": start, "end": start + len(word)})
    return gold, generic


#: Fresh sentences written after EXTRA_RULES were settled and run once, never tuned on: a rough
#: look at how far the extra rules carry past the sentences they were written against.
#: (id, label, condition, text); original writing in the shapes of the development set.
PROBES = [
    ("p01", "disease_claim", "gout", "FlexiJoint rebuilds cartilage and ends gout flare-ups!"),
    ("p02", "disease_claim", "Acid reflux", "Acid reflux? Not anymore. RefluxAway calms it fast."),
    (
        "p03",
        "disease_claim",
        "chronic migraines",
        "Nobody has to live with chronic migraines anymore - MigraFree stops them at the source.",
    ),
    (
        "p04",
        "disease_claim",
        "kidney stones",
        "Experts agree: this tonic flushes out kidney stones.",
    ),
    ("p05", "disease_claim", "acne", "Say no to acne with our clarifying serum."),
    (
        "p06",
        "disease_claim",
        "fibroids",
        "Free from side effects, our formula melts away fibroids.",
    ),
    ("p07", "disease_claim", "rosacea", "Doctors can't believe how fast it clears rosacea!"),
    ("p08", "disease_claim", "strep throat", "Kills 99.9% of the germs that cause strep throat."),
    (
        "p09",
        "hedged_claim",
        "osteoarthritis",
        "Turmeric may help ease joint pain from osteoarthritis.",
    ),
    ("p10", "hedged_claim", "MS", "Some studies hint that ginseng could ease fatigue in MS."),
    (
        "p11",
        "hedged_claim",
        "hot flashes",
        "Preliminary results suggest the extract can reduce hot flashes.",
    ),
    (
        "p12",
        "hedged_claim",
        "respiratory infections",
        "Vitamin D might lower the risk of respiratory infections.",
    ),
    ("p13", "negated", "back pain", "Magnet therapy has never been shown to relieve back pain."),
    (
        "p14",
        "negated",
        "asthma attacks",
        "Researchers found no link between the diet and fewer asthma attacks.",
    ),
    ("p15", "negated", "Alzheimer's disease", "Coconut oil won't reverse Alzheimer's disease."),
    ("p16", "negated", "fibromyalgia", "There's little evidence that cupping helps fibromyalgia."),
    ("p17", "reported", "acid reflux", "Fans of the diet insist it cures acid reflux."),
    ("p18", "reported", "tumours", "The brand's ads suggested the tea could melt away tumours."),
    ("p19", "reported", "hay fever", "Homeopaths claim the remedy treats hay fever."),
    ("p20", "reported", "insomnia", "It is often described as a natural cure for insomnia."),
    (
        "p21",
        "warning",
        "fibroids",
        "Think twice before buying pills that promise to shrink fibroids.",
    ),
    ("p22", "warning", "shingles", "Don't trust any oil sold as a cure for shingles."),
    ("p23", "question", "asthma", "Is black seed oil good for asthma?"),
    ("p24", "question", "cancer cells", "Does fasting really starve cancer cells"),
    (
        "p25",
        "quoted",
        "diabetes",
        'The FTC objected to the claim that the drink "reverses diabetes".',
    ),
    ("p26", "disease_status", "Shingles", "Shingles usually clears up within two to four weeks."),
    ("p27", "disease_status", "common cold", "There is no vaccine for the common cold."),
]


def probe_cases() -> list[dict]:
    """PROBES in the shape load_cases gives."""
    cases = []
    for ident, label, phrase, text in PROBES:
        start = text.index(phrase)
        cases.append(
            {
                "id": ident,
                "label": label,
                "condition": phrase,
                "text": text,
                "start": start,
                "end": start + len(phrase),
            }
        )
    return cases


# --------------------------------------------------------------------------------------------
# Extra ConText rules for marketing copy (system b). Our wording, medspaCy's rule format.
# --------------------------------------------------------------------------------------------
REPORTERS = (
    "people|users|patients|customers|sellers|proponents|advocates|fans|practitioners|"
    "influencers|websites|website|shops|company|manufacturer|marketers|supporters|believers"
)
SAYING = "claim|claims|claimed|say|says|said|believe|believes|report|reports|reported|state|"
SAYING += "states|stated|promote|promotes|insist"
NOT = "not|n't"
#: (category, direction, pattern). A pattern is token slots separated by spaces; a slot lists
#: its lower-case words separated by "|", ends in "?" when optional, and "~" is a gap of up to
#: four tokens. ConText categories of our own (REPORTED, WARNING, ...) block like negation.
EXTRA_RULES = [
    # Reported: someone else asserts it.
    ("REPORTED", "FORWARD", f"{REPORTERS} ~ {SAYING}"),
    ("REPORTED", "FORWARD", f"{SAYING} that"),
    ("REPORTED", "FORWARD", "claim|claims|claiming to"),
    ("REPORTED", "FORWARD", "marketed|touted|promoted|sold|advertised|billed|hailed as"),
    ("REPORTED", "FORWARD", "according to"),
    ("REPORTED", "FORWARD", "the idea|notion|belief that"),
    ("REPORTED", "FORWARD", "traditionally|historically"),
    ("REPORTED", "FORWARD", "folk|traditional|old remedy|medicine|cure"),
    ("REPORTED", "FORWARD", "promises|promised|promising"),
    ("REPORTED", "BACKWARD", "boasts|boasted|claims|claimed|says|said"),
    # Warning: the writer tells the reader not to believe or act on it.
    ("WARNING", "FORWARD", "be|beware wary|suspicious|careful|cautious? of|with|about"),
    ("WARNING", "FORWARD", "watch|look out for"),
    ("WARNING", "FORWARD", "steer|stay clear|away of|from"),
    ("WARNING", "FORWARD", "avoid|avoiding"),
    ("WARNING", "FORWARD", f"do|never {NOT}? use|give|put|rely|swap|stop|take|replace|trust|buy"),
    ("WARNING", "FORWARD", "ask for the? evidence"),
    ("WARNING", "FORWARD", "so - called"),
    ("WARNING", "BACKWARD", "with suspicion|caution|scepticism|skepticism"),
    # Disclaimer wording.
    ("DISCLAIMER", "FORWARD", f"{NOT} intended|meant to|for"),
    ("DISCLAIMER", "FORWARD", "no|not a? substitute"),
    # Disease status: nobody has a cure (yet).
    ("DISEASE_STATUS", "FORWARD", "looking|searching|search|hunt|quest for a|an? cure|vaccine"),
    ("DISEASE_STATUS", "BACKWARD", f"cannot|can|can't {NOT}? be cured"),
    ("DISEASE_STATUS", "BIDIRECTIONAL", "with? no known|single? cure|cures"),
    ("DISEASE_STATUS", "BACKWARD", "on its|their own"),
    ("DISEASE_STATUS", "BACKWARD", "lifelong|incurable|chronic"),
    # "has yet been found" must not end a negation's scope the way the default "yet" does.
    ("PSEUDO_TERMINATION", "PSEUDO", "has|have yet"),
    ("NEGATED_EXISTENCE", "FORWARD", f"{NOT} yet"),
    # Negation forms the clinical list lacks, and backward ones ("... is unproven").
    ("NEGATED_EXISTENCE", "FORWARD", "neither|nothing|none"),
    ("NEGATED_EXISTENCE", "BIDIRECTIONAL", "unproven|ineffective|useless|disproven|debunked"),
    ("NEGATED_EXISTENCE", "BIDIRECTIONAL", f"{NOT} a standalone? cure|treatment"),
    # Look-alikes: claims that only look negated. A longer match prunes the trigger inside it.
    ("PSEUDO_NEGATION", "PSEUDO", f"does|do|stand|stands {NOT}? stand? no|a chance"),
    ("PSEUDO_NEGATION", "PSEUDO", "none|no|without of? the? nasty|harsh? side -? effects"),
    ("PSEUDO_NEGATION", "PSEUDO", "no|never more|again"),
    # Hedges: the defaults have "may be" and "possible" but not the bare modal verbs. A modal
    # governs its whole clause, so the condition may stand before it too.
    ("POSSIBLE_EXISTENCE", "BIDIRECTIONAL", "may|might|could|potentially|possibly|perhaps"),
    ("POSSIBLE_EXISTENCE", "FORWARD", "thought|believed|said|appears|appear|seems|seem to"),
    ("POSSIBLE_EXISTENCE", "FORWARD", "suggests|suggest|suggested|potential"),
    ("POSSIBLE_EXISTENCE", "FORWARD", "shown|shows|show? promise|promising"),
]
QUOTE_MARKS = {'"', "'", "\u201c", "\u201d", "\u2018", "\u2019"}
OPENING_QUOTES = {"\u201c", "\u2018"}
STRAIGHT_QUOTES = {'"', "'"}


def token_pattern(spec: str) -> list[dict]:
    """A spaCy Matcher pattern from the slot notation of ``EXTRA_RULES``.

    >>> token_pattern("ask for the? evidence")[2]
    {'LOWER': {'IN': ['the']}, 'OP': '?'}
    """
    pattern = []
    for slot in spec.split():
        if slot == "~":
            pattern.append({"OP": "{0,4}"})
            continue
        optional = slot.endswith("?") and len(slot) > 1
        words = slot.removesuffix("?") if optional else slot
        token = {"LOWER": {"IN": words.split("|")}}
        pattern.append({**token, "OP": "?"} if optional else token)
    return pattern


def _inside_quotes(target, modifier, between) -> bool:
    """An opening quote mark modifies a target when no quote mark closes it before the target.

    Curly marks say which way they face; a straight mark opens when an even number of the
    same mark comes before it in the sentence.
    """
    mark = modifier.text
    if mark in STRAIGHT_QUOTES:
        before = sum(token.text == mark for token in modifier.sent if token.i < modifier.start)
        opens = before % 2 == 0
    else:
        opens = mark in OPENING_QUOTES
    return opens and not any(token.text in QUOTE_MARKS for token in between)


def extra_rules() -> list:
    """ConTextRules for what the clinical defaults lack; questions and quotes need their own."""
    from medspacy.context import ConTextRule

    rules = [
        ConTextRule(spec, category, pattern=token_pattern(spec), direction=direction)
        for category, direction, spec in EXTRA_RULES
    ]
    rules.append(ConTextRule("?", "QUESTION", pattern=[{"TEXT": "?"}], direction="BACKWARD"))
    rules.append(
        ConTextRule(
            "opening quote",
            "QUOTED",
            pattern=[{"TEXT": {"IN": sorted(QUOTE_MARKS)}}],
            direction="FORWARD",
            on_modifies=_inside_quotes,
        )
    )
    return rules


# --------------------------------------------------------------------------------------------
# Running the systems
# --------------------------------------------------------------------------------------------
def _one_sentence(nlp, case: dict):
    """A Doc of the case text, one sentence, with the condition as its only entity."""
    from spacy.tokens import Span

    doc = nlp.make_doc(case["text"])
    for token in doc:
        token.is_sent_start = token.i == 0
    span = doc.char_span(case["start"], case["end"], alignment_mode="expand")
    doc.ents = [Span(doc, span.start, span.end, label=TARGET_LABEL)]
    return doc


def decide(categories: Iterable[str]) -> str:
    """Three-way decision from the ConText categories that reach the target."""
    found = set(categories)
    if found & BLOCKING:
        return NOT_ASSERTED
    if found & HEDGING:
        return HEDGED
    return ASSERTED


def context_system(with_extras: bool) -> Callable[[dict], tuple[str, str]]:
    """medspaCy ConText on a blank English pipeline; returns case -> (decision, why)."""
    import medspacy.context  # noqa: F401  registers the medspacy_context factory
    import spacy

    nlp = spacy.blank("en")
    context = nlp.add_pipe("medspacy_context", config={"rules": "default"})
    if with_extras:
        context.add(extra_rules())

    def run(case: dict) -> tuple[str, str]:
        doc = context(_one_sentence(nlp, case))
        modifiers = doc.ents[0]._.modifiers
        why = "; ".join(
            f"{m.category}:{doc[m.modifier_span[0] : m.modifier_span[1]]}" for m in modifiers
        )
        return decide(m.category for m in modifiers), why

    return run


def negex_system() -> Callable[[dict], tuple[str, str]]:
    """negspacy's NegEx, default termset: negated -> not asserted, else asserted."""
    import negspacy.negation  # noqa: F401  registers the negex factory
    import spacy

    nlp = spacy.blank("en")
    negex = nlp.add_pipe("negex", config={"ent_types": [TARGET_LABEL]})

    def run(case: dict) -> tuple[str, str]:
        doc = negex(_one_sentence(nlp, case))
        negated = doc.ents[0]._.negex
        return (NOT_ASSERTED, "negex") if negated else (ASSERTED, "")

    return run


# ============================================================================================
# OURS: the project's own context rules, scored on exactly the same cases.
# ============================================================================================
def ours(sentence: str, start: int, end: int) -> str:
    """The project's decision for the condition at ``sentence[start:end]``.

    Returns "asserted", "hedged" or "not asserted": the house claim finder's context
    decision (``ClaimFinder.context_of``) with the packaged style guide's word lists.
    """
    return _house_finder().context_of(sentence, start, end)


@functools.cache
def _house_finder():
    sys.path.insert(0, str(REPO))
    from stackwise_analysis.audits.compliance import _claim_finder
    from stackwise_analysis.styleguide import load_styleguide

    return _claim_finder(load_styleguide())[0]


def ours_system() -> Callable[[dict], tuple[str, str]] | None:
    """``ours`` wrapped like the other systems, or None (with the reason printed)."""
    try:
        ours("Cures eczema.", 6, 12)
    except ImportError as error:
        if (getattr(error, "name", None) or "stackwise_analysis").startswith("stackwise_analysis"):
            print(f"ours: not available yet ({error})")
        else:
            print(
                f"ours: cannot import the project here ({error}); run with a Python that has "
                "both the project (`pip install -e .`) and medspacy, or with .venv/bin/python "
                "to score ours alone"
            )
        return None
    return lambda case: (ours(case["text"], case["start"], case["end"]), "")


# ============================================================================================


def score(run: Callable[[dict], tuple[str, str]], cases: list[dict]) -> list[dict]:
    """Each case with the system's decision and the modifiers that made it."""
    rows = []
    for case in cases:
        decision, why = run(case)
        rows.append(
            {
                **case,
                "decision": decision,
                "why": why,
                "correct": decision == EXPECTED[case["label"]],
            }
        )
    return rows


def speed(run: Callable[[dict], tuple[str, str]], cases: list[dict], seconds=1.0) -> float:
    """Sentences per second after one warm-up pass, over at least ``seconds`` of work."""
    for case in cases:
        run(case)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for case in cases:
            run(case)
        done += len(cases)
    return done / (time.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------
def _table(headings: list[str], rows: list[list]) -> str:
    cells = [headings] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headings))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def per_label_table(rows: list[dict]) -> str:
    """One line per label: how often the system judged it asserted, hedged, right."""
    lines = []
    for label, expected in EXPECTED.items():
        mine = [row for row in rows if row["label"] == label]
        if not mine:
            continue
        counts = Counter(row["decision"] for row in mine)
        lines.append(
            [
                label,
                len(mine),
                expected,
                _share(counts[ASSERTED], len(mine)),
                _share(counts[HEDGED], len(mine)),
                _share(sum(row["correct"] for row in mine), len(mine)),
            ]
        )
    return _table(["Label", "Sentences", "Expected", "Asserted", "Hedged", "Correct"], lines)


def summary_line(rows: list[dict]) -> dict:
    """Overall 3-way accuracy, claims kept, and false fires on sentences that are not claims."""
    claims = [row for row in rows if row["label"] == "disease_claim"]
    hedges = [row for row in rows if row["label"] == "hedged_claim"]
    others = [row for row in rows if EXPECTED[row["label"]] == NOT_ASSERTED]
    return {
        "Accuracy": _share(sum(row["correct"] for row in rows), len(rows)),
        "Claims asserted": _share(sum(r["decision"] == ASSERTED for r in claims), len(claims)),
        "Hedges hedged": _share(sum(r["decision"] == HEDGED for r in hedges), len(hedges)),
        "Non-claims let through": _share(
            sum(r["decision"] != NOT_ASSERTED for r in others), len(others)
        ),
    }


def _systems(have_medspacy: bool) -> dict[str, Callable[[], Callable | None]]:
    systems = {}
    if have_medspacy:
        systems["(a) medspaCy ConText, default rules"] = lambda: context_system(False)
        systems["(b) ConText, default + extra rules"] = lambda: context_system(True)
        systems["(c) negspacy NegEx, default termset"] = negex_system
    systems["ours: stackwise_analysis context_of"] = ours_system
    return systems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_SET, help="labelled sentences (YAML)")
    parser.add_argument("--wrong", action="store_true", help="list every wrong decision")
    parser.add_argument("--seconds", type=float, default=1.0, help="timing budget per system")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        import medspacy.context  # noqa: F401
        import negspacy.negation  # noqa: F401

        have_medspacy = True
    except ImportError:
        print(INSTALL_HINT)
        have_medspacy = False
    import_seconds = time.perf_counter() - started

    cases, disclaimers = load_cases(args.data)
    print(
        f"{args.data.name}: {len(cases)} sentences with a gold condition in scope; "
        f"{len(disclaimers)} disclaimers scored apart with a generic target"
    )
    if have_medspacy:
        import spacy

        print(
            f"spaCy {spacy.__version__}, medspaCy {medspacy_version()}; "
            f"import of medspacy.context + negspacy: {import_seconds:.1f} s"
        )
    probes = probe_cases()
    summaries = []
    for name, build in _systems(have_medspacy).items():
        run = build()
        if run is not None:
            summaries.append(evaluate(name, run, cases, disclaimers, probes, args))
    if summaries:
        headings = ["System", *summary_line([]).keys(), "Probes correct", "Sentences/s"]
        print(
            f"\n## Summary ({len(cases)} development sentences, {len(probes)} probes)\n"
            f"{_table(headings, summaries)}"
        )
    return 0


def evaluate(name, run, cases, disclaimers, probes, args) -> list[str]:
    """Print one system's per-label table (and wrong decisions); return its summary row."""
    rows, kept, probed = (score(run, some) for some in (cases, disclaimers, probes))
    print(f"\n## {name}\n{per_label_table(rows)}")
    print(
        f"disclaimers (generic target): {_share(sum(r['correct'] for r in kept), len(kept))}"
        f" not asserted; probes: {sum(r['correct'] for r in probed)} of {len(probed)} right"
    )
    if args.wrong:
        for row in (row for row in rows + kept + probed if not row["correct"]):
            print(f"  wrong: {row['id']:9} {row['label']:15} -> {row['decision']:12} {row['why']}")
    probes_right = _share(sum(r["correct"] for r in probed), len(probed))
    return [
        name,
        *summary_line(rows).values(),
        probes_right,
        f"{speed(run, cases, args.seconds):,.0f}",
    ]


def medspacy_version() -> str:
    from importlib.metadata import version

    return version("medspacy")


if __name__ == "__main__":
    raise SystemExit(main())
