"""Health claims: each context rule both ways, and precision and recall on labelled sentences.

The labelled sets are original sentences written in the shapes of real copy (see the header
of each file), each by a different author who saw neither the detector nor the other sets.
``dev.yml`` to ``dev3.yml`` were used to tune the word lists from the start (55 % and 66 % of
their claims were found when first scored). ``dev4.yml`` to ``dev39.yml`` were held-out sets
first, each scored once unseen (see each file's header) and only then opened and tuned on,
new sets being written each time.
``HELD_OUT`` are never read while tuning: their figures say how the audit does on copy it has
not seen (each file's header gives its first score).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from stackwise_analysis.audits.compliance import claim_finder
from stackwise_analysis.styleguide import load_styleguide

#: What the audit reaches on the held-out sets today (floors against regressions, not the
#: issue's target of 90 % and 5 %: heldout37/38 pooled gave 78.7 % and 0.8 % when first scored).
HELD_OUT_RECALL, HELD_OUT_ALARMS = 0.78, 0.05

SETS = Path(__file__).parent / "data" / "claims"
TUNED = ["dev"] + [f"dev{n}" for n in range(2, 40)]
HELD_OUT = ["heldout37", "heldout38"]
CLAIMS = {"disease_claim": "disease", "absolute_claim": "absolute", "hedged_claim": "hedged"}
NOT_ASSERTED = ("negated", "reported", "quoted", "warning", "disclaimer", "question",
                "disease_status")


@pytest.fixture(scope="module")
def finder():
    return claim_finder(load_styleguide())


def kinds(finder, sentence: str) -> set[str]:
    return {claim.kind for claim in finder.find(sentence)}


@pytest.mark.parametrize(("sentence", "expected"), [
    # explicit, marker, agent, drug-class and fragment claims
    ("ImmunoBoost cures eczema in two weeks!", {"disease"}),
    ("Lowers triglycerides.", {"disease"}),
    ("Wipes out the flu virus on contact.", {"disease"}),
    ("Oregano oil is a natural antibiotic.", {"disease"}),
    ("Better than Prozac for low mood.", {"disease"}),
    ("Tumours were shrunk in most patients.", {"disease"}),
    ("Say goodbye to gout!", {"disease"}),
    # look-alikes: they only look negated or reported
    ("Arthritis pain doesn't stand a chance against FlexPro.", {"disease"}),
    ("With none of the side effects of drugs, it clears psoriasis.", {"disease"}),
    ("Doctors agree that it heals ulcers.", {"disease"}),
    ("No more statins: HeartEase lowers cholesterol naturally.", {"disease"}),
    # hedged
    ("It may lower blood pressure in some adults.", {"hedged"}),
    ("Early trials found it could reduce migraines.", {"hedged"}),
    # absolutes, and qualified ones
    ("Completely risk-free and 100% safe.", {"absolute"}),
    ("There are no side effects.", {"absolute"}),
    ("It is usually harmless for most people.", set()),
    # structure/function wording is allowed
    ("Supports healthy joints.", set()),
    ("Helps maintain healthy blood sugar levels already within the normal range.", set()),
    # negated
    ("There is no evidence that it reverses arthritis.", set()),
    ("It does not reduce cholesterol.", set()),
    ("No herb has been shown to dissolve kidney stones.", set()),
    ("Homeopathic remedies are ineffective against influenza.", set()),
    # reported, quoted, warnings
    ("Some people claim it cures cancer.", set()),
    ("It is marketed as a cure for diabetes.", set()),
    ("Testimonials like 'it cleared my psoriasis' are not evidence.", set()),
    ("Be careful with sellers who say their tea melts away tumours.", set()),
    ("Do not use it to treat an infection.", set()),
    # disclaimer, question, the disease's own status
    ("This product is not intended to diagnose, treat, cure, or prevent any disease.", set()),
    ("Can turmeric cure arthritis?", set()),
    ("Scientists are still looking for a cure for ALS.", set()),
    ("There is no cure for psoriasis.", set()),
    # other subjects and risks
    ("Statins lower LDL cholesterol.", set()),
    ("Your GP may prescribe an antifungal cream.", set()),
    ("Bitter melon can push blood sugar too low if you take insulin.", set()),
    # a condition misspelt by one letter is still the condition; an English word is not one
    ("REVERSES type 2 diabeties for good!!", {"disease"}),
    ("Psoraisis doesn't stand a chance.", {"disease"}),
    ("It lowers patients' costs.", set()),
    # a medicine word names the product when it is ours or branded, not when it is a drug
    ("Qing Fei pills cure chronic bronchitis.", {"disease"}),
    ("Our herbal medicine clinic reverses Hashimoto's.", {"disease"}),
    ("Statins lower cholesterol in most people.", set()),
    # a headline question's condition is what its answer's effect is said of
    ("Melanoma? A single dab of our paste lifts it clean off.", {"disease"}),
    ("Eczema? Dermatitis? Our balm clears both in a week.", {"disease"}),
    ("Tinnitus? Ask your doctor first.", set()),
    # one negation for both halves of "or"; a negation between a condition and its effect
    ("Cupping won't clear toxins from your blood or bring down blood pressure.", set()),
    ("Psoriasis cannot currently be cured.", set()),
    ("Viruses can't survive on our copper mask.", {"disease"}),
    # an absolute in a list of "no ..." is not negated by the list's first "no"
    ("No needles, no pills, no risk.", {"absolute"}),
    ("No product is 100% safe.", set()),
    # irregular verb forms; "-free" after a verb; a diagnosis claim, not a diagnosed person
    ("Hundreds have beaten their migraines with our drops.", {"disease"}),
    ("Stay flu-free all winter.", {"disease"}),
    ("Around one in ten became seizure-free in the trial.", {"hedged"}),
    ("Detects early liver disease from one drop of saliva.", {"disease"}),
    ("Adults diagnosed with anxiety disorders took part.", set()),
    # a label's use line; a "for" that does not open its clause is no label
    ("Joint balm – for gout, bursitis & tendonitis.", {"disease"}),
    ("Perfect for IBS sufferers.", {"disease"}),
    ("For arthritis, exercise is the first treatment.", set()),
    # medicines from the packaged list, which the style guide does not name
    ("Works faster than lansoprazole.", {"disease"}),
    ("A gentle alternative to methylphenidate.", {"disease"}),
    # a made-up brand before a medicine word is the product; a plain noun is a drug
    ("SleepWell tablets calm insomnia overnight.", {"disease"}),
    ("Blood pressure tablets lower hypertension.", set()),
    # a before-and-after testimonial; "before" in plain prose is not one
    ("BEFORE: angry red rosacea. AFTER: calm skin.", {"disease"}),
    ("Before you start, talk to your doctor about asthma.", set()),
    # a question with a tail after its mark
    ("will black seed oil get rid of my daughter's eczema?? anyone tried", set()),
    # conditions as a heading and their promise; a heading that says more is no label
    ("Anxiety and panic disorder: calmed naturally with our kava.", {"disease"}),
    ("Rosacea is a chronic condition: it can be controlled, but not cured.", set()),
    # a condition before "-busting", "-fighting", "-free": a fight against it
    ("Cholesterol-busting oat drink.", {"disease"}),
    ("A sugar-busting tip for your kitchen.", set()),
    ("Be suspicious of 'miracle cures' for tinnitus sold online.", set()),
    # a verdict before a colon judges what follows
    ("Myth: garlic cures the flu.", set()),
    # a headline answer that is the product, not the publisher
    ("Anemia? Our iron tonic raises hemoglobin fast.", {"disease"}),
    ("Arthritis? Our guide explains the options.", set()),
    # structure/function wording said of a disease is a disease claim
    ("Restores a normal heart rhythm in people with AFib.", {"disease"}),
    ("Helps maintain normal blood sugar levels.", set()),
    # a condition written without its possessive (accents: the `_spellings` doctest)
    ("Speeds recovery from Guillain-Barre syndrome.", {"disease"}),
    ("Our drops reverse Addison disease.", {"disease"}),
    # a warning after the claim
    ("Using garlic instead of antibiotics for an ear infection can be dangerous.", set()),
    # the seller's product or buyers and a disease in one clause; not the seller's founder,
    # not a negated sale
    ("Our NAC protocol has given hundreds of families their evenings back from OCD.",
     {"disease"}),
    ("Our founder was diagnosed with endometriosis at 24.", set()),
    ("We never sell our tinctures as a treatment for anxiety.", set()),
    # a verb's object is no other subject; the other subject itself still is
    ("The fast resets the immune system and puts lupus into remission.", {"disease"}),
    ("The immune system clears most colds on its own.", set()),
    # a purpose needs no label's shape; a comparison word is no effect verb
    ("The drip was designed for fibromyalgia and nothing else.", {"disease"}),
    ("Results were less clear for people with fibromyalgia.", set()),
    # a hedge after a comma is an aside; "so you can" is a purpose, no hedge
    ("The plan undoes fatty liver disease, which affects one in four adults.", {"disease"}),
    ("Turmeric calms arthritis pain in one in four users.", {"hedged"}),
    ("Our tincture lowers blood pressure so you can skip the pills.", {"disease"}),
    ("It can lower blood pressure.", {"hedged"}),
    # outside the body is no claim about it
    ("Ozone kills viruses on surfaces.", set()),
    ("Ozone kills viruses in the blood.", {"disease"}),
    # the condition as the subject of its retreat
    ("Arthritis backs off within days.", {"disease"}),
    ("Psoriasis calmed for good.", {"disease"}),
    # "anti-" before a condition; before a drug noun it names the drug
    ("Slimming gel, anti-cellulite, anti-obesity.", {"disease"}),
    ("Ask before you take anti-seizure drugs.", set()),
    # an effect on "it" after a named condition; not a quoted condition
    ("Most IBS is really parasites, and our cleanse fixes it for good.", {"disease"}),
    ('The keyword "anxiety cure" stayed in the metadata until the store removed it.', set()),
    # a condition that makes something happen is no target of it
    ("Sleep apnoea makes breathing stop many times a night.", set()),
    ("Sleep apnoea stops within a week on our mouth tape.", {"disease"}),
    # a shop listing's title names what the product is for; a title-cased heading without a
    # condition does not
    ("Herbal Eye Drops 10ml Cataract Care Blurry Vision Relief", {"disease"}),
    ("Organic Chamomile Tea Bags Calming Bedtime Blend 20 Count", set()),
    # a testimonial the seller adopts ("- that's why we ...") is the seller's
    ('"It cleared my rosacea in a week" - that\'s why we started selling it.', {"disease"}),
    ('"It cleared my rosacea in a week" - a typical claim on such sites.', set()),
    # a negation opening the stretch after "and"; a mark between a pronoun and a verb
    ("Parkinson's is progressive, and no therapy has been shown to halt it.", set()),
    ("Bone Guard for Her - stops bone loss and reverses osteoporosis", {"disease"}),
    # a service named after a condition; the disease's status before an effect on "it"
    ("Free blood pressure checks every Tuesday.", set()),
    ("Free your joints from arthritis pain.", {"disease"}),
    ("There is no cure for COPD, but treatment can slow it down.", set()),
    # "avoid" before an intervention is a promise, not a warning
    ("Avoid dialysis - the kidney formula that brings creatinine down naturally.", {"disease"}),
    ("Avoid products that claim to bring creatinine down.", set()),
    # verbs, reports and absolutes from dev31
    ("Lithium orotate levels out bipolar mood swings, naturally.", {"disease"}),
    ("It has been sold for decades as an alternative to antibiotics.", set()),
    ("Not one reported side effect in over 30 years of use.", {"absolute"}),
    ("Our nano-silver can never cause argyria.", {"absolute"}),
    # from dev32: a visit is no claim; a belief is reported; remission after the product
    ("Our Leeds clinic sees patients with varicose veins on Tuesdays.", set()),
    ("Many men take saw palmetto in the belief that it will shrink an enlarged prostate.",
     set()),
    ("My Crohn's has been in remission since I started the broth.", {"disease"}),
    ("Many people with Crohn's disease stay in remission for years.", set()),
    ("Freezes off stubborn plantar warts at home.", {"disease"}),
    # from dev33 (spoken and social copy): readings moved from one value to another
    ("the berberine complex took my A1C from 7.9 to 5.8 in four months", {"disease"}),
    ("The number of adults with diabetes rose from 108 million to 422 million.", set()),
    ("I took my diabetes medication from the cupboard to the kitchen.", set()),
    # an effect on "them" or "it" the sentence's condition is the topic of
    ("hives every night for months and the quercetin calmed them down in 4 days",
     {"disease"}),
    ("insomnia for years, and this knocked it out", {"disease"}),
    ("oral thrush in babies? rub the paste in and it's gone", {"disease"}),
    ("These seeds hold compounds that cause vomiting and diarrhoea, and only proper cooking "
     "removes them.", set()),
    ("the hemp salve takes the burn out of diabetic nerve pain", {"disease"}),
    # "I found" is no research finding; a podcast telling listeners reports
    ("So glad I found the Reset, my lupus flares went from monthly to zero", {"disease"}),
    ("Wellness podcasters have been telling listeners that fasting reverses lupus.", set()),
    ("has anyone's A1C actually dropped on berberine or is it all hype", set()),
    # a modal in capitals insists; in lower case it hedges
    ("cavities CAN heal with this tooth powder!!", {"disease"}),
    ("Cavities can heal with this tooth powder.", {"hedged"}),
    ("Some people online say beef tallow clears up eczema.", set()),
    # from dev34/dev35 (editorial copy): status without treatment, forum reports, lay names
    ("Most tension-type headaches fade within a few hours without any treatment.", set()),
    ("Many parents on online forums say amber necklaces ease their baby's reflux.", set()),
    ("Bowen therapy resolves whiplash injuries in two or three treatments.", {"disease"}),
    ("Zinc lozenges stop a cold in its tracks.", {"disease"}),
    # from dev36/dev37 (editorial copy)
    ("Gripe water hasn't been proven to cure colic.", set()),
    ("Most children outgrow a cow's milk protein allergy by school age.", set()),
    ("Many parents swear that elderberry syrup keeps the flu away all winter.", set()),
    ("Bacopa is a herbal Ritalin for kids with ADHD.", {"disease"}),
    ("High-dose fish oil stabilises mood swings in bipolar disorder.", {"disease"}),
    # "traditional" as the product's adjective reports nothing; its traditional use does
    ("Traditional Chinese herbal formulas treat polycystic ovary syndrome.", {"disease"}),
    ("Traditional healers use the bark to treat malaria.", set()),
    # a rhetorical "why ... when" asserts what follows "when"; a real question does not
    ("Why keep paying for Rogaine when our rosemary serum regrows bald spots faster?",
     {"disease"}),
    ("Why do some people get shingles when others don't?", set()),
    # "if you take" is a risk before a medicine, not before the product's timing
    ("Oscillo wipes out the flu virus if you take it within the first 24 hrs.", {"disease"}),
    ("It can also lower blood sugar a little, which matters if you take diabetes medicine.",
     set()),
    ("I didn't believe it until my eczema cleared, and now I know it will work for you too.",
     {"disease"}),
    # from dev38/dev39: a therapy's own medicine or inhaler is the product, not a drug
    ("Functional medicine protocols clear small intestinal bacterial overgrowth.", {"disease"}),
    ("Salt inhalers cure mild sleep apnoea.", {"disease"}),
    ("Blood pressure tablets lower blood pressure.", set()),
    ("Some evidence suggests balneotherapy may help knee osteoarthritis.", {"hedged"}),
    ("Salt spa operators say halotherapy clears the lungs of people with COPD.", set()),
    ("During a hard effort, they burn through their ATP within seconds.", set()),
    # house copy: a product named after a condition, a contraindication, the appeal described
    ("Bottles of elderberry syrup sit next to the cough drops.", set()),
    ("Since I started the tea, my blood pressure drops within minutes.", {"disease"}),
    ("Skip cupping over broken skin, sunburn or active eczema.", set()),
    ("The appeal is obvious: one or two injections instead of major surgery.", set()),
    ("One or two injections instead of major surgery!", {"disease"}),
])
def test_context_rules_both_ways(finder, sentence, expected):
    assert kinds(finder, sentence) == expected


def _labelled(name: str) -> list[dict]:
    return yaml.safe_load((SETS / f"{name}.yml").read_text("utf-8"))["sentences"]


def score(finder, sentences: list[dict]) -> dict:
    """Per label: how many sentences, and how many drew each kind of finding."""
    table: dict[str, Counter] = {}
    for entry in sentences:
        found = kinds(finder, entry["text"])
        counts = table.setdefault(entry["label"], Counter())
        counts["n"] += 1
        for kind in found:
            counts[kind] += 1
        counts["blocker"] += bool(found & {"disease", "absolute"})
    return table


def _report(name: str, table: dict) -> tuple[float, float]:
    claims = [table.get(label, Counter()) for label in ("disease_claim", "absolute_claim")]
    found = sum(c["blocker"] for c in claims)
    total = sum(c["n"] for c in claims)
    quiet = [table.get(label, Counter()) for label in NOT_ASSERTED]
    alarms = sum(c["blocker"] + c["hedged"] for c in quiet)
    quiet_total = sum(c["n"] for c in quiet)
    print(f"\n{name}: blocker claims found {found}/{total} ({found / total:.1%}); "
          f"negated/reported/quoted/warning/disclaimer/question/status flagged "
          f"{alarms}/{quiet_total} ({alarms / quiet_total:.1%})")
    for label, counts in sorted(table.items()):
        hits = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "n")
        print(f"  {label:<20} {counts['n']:>4}  {hits}")
    return found / total, alarms / quiet_total


@pytest.mark.parametrize("name", TUNED)
def test_tuning_sets(finder, name, capsys):
    table = score(finder, _labelled(name))
    with capsys.disabled():
        recall, alarms = _report(f"{name} (tuned on)", table)
    assert recall >= 0.85
    assert alarms <= 0.05
    hedged = table["hedged_claim"]
    assert hedged["hedged"] >= 0.8 * hedged["n"]


def test_held_out_set(finder, capsys):
    """Copy the lists were never tuned on, each set and all together. The issue's target is
    90 % of disease and absolute claims found with at most 5 % false alarms; the floors here
    guard against a regression from what the audit reaches today (on the sets pooled: the
    better estimate), they do not claim the target."""
    pooled = []
    for name in HELD_OUT:
        sentences = _labelled(name)
        assert len(sentences) >= 200
        pooled += sentences
        with capsys.disabled():
            _report(f"{name} (held out, never tuned on)", score(finder, sentences))
    with capsys.disabled():
        recall, alarms = _report("held-out sets pooled", score(finder, pooled))
    assert alarms <= HELD_OUT_ALARMS
    assert recall >= HELD_OUT_RECALL


def test_structure_function_and_neutral_copy_stays_quiet(finder):
    for name in TUNED + HELD_OUT:
        loud = [e["id"] for e in _labelled(name)
                if e["label"] in ("structure_function", "neutral")
                and kinds(finder, e["text"]) & {"disease", "absolute"}]
        total = sum(e["label"] in ("structure_function", "neutral") for e in _labelled(name))
        assert len(loud) <= 0.1 * total, (name, loud)


@pytest.mark.parametrize("name", TUNED + HELD_OUT)
def test_the_screen_keeps_the_sentences_that_hold_claims(finder, name):
    """The audit reads closely only the sentences ``claim_screen`` picks; it must not drop
    the ones the finder would have found a claim in."""
    import pyarrow as pa

    from stackwise_analysis.text.claim_screen import screen
    from stackwise_analysis.text.sentences import splitter_for

    texts = [e["text"] for e in _labelled(name) if finder.find(e["text"])]
    picked = screen(pa.array(texts, type=pa.large_string()), finder, splitter_for())
    kept = {int(u) for u, s in zip(picked.unit, picked.sentence, strict=True)
            if finder.find(s)}
    assert len(kept) >= 0.97 * len(texts), sorted(set(range(len(texts))) - kept)


def test_condition_starts_match_every_n_gram_looked_up(finder):
    """The screen looks up n-grams only where a term can start; it must mark the same
    tokens as looking up every n-gram of every size at every token would."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from stackwise_analysis.text.claim_screen import _condition_starts

    texts = [e["text"] for name in ("dev", "dev2") for e in _labelled(name)]
    encoded = pc.dictionary_encode(pc.ascii_split_whitespace(pa.array(texts)).flatten())
    token = encoded.indices.to_numpy()
    got = _condition_starts(encoded.dictionary, token, finder, {})

    words = [finder.conditions.mend(finder.bare_word(t)) for t in encoded.dictionary.to_pylist()]
    terms = finder.conditions.terms
    longest = max(k.count(" ") + 1 for k in terms)
    expected = np.zeros(len(token), dtype=bool)
    for at in range(len(token)):
        for size in range(1, min(longest, len(token) - at) + 1):
            gram = [words[t] for t in token[at:at + size]]
            if (" ".join(gram) in terms
                    or " ".join([*gram[:-1], finder.singular(gram[-1])]) in terms):
                expected[at] = True
    assert got.sum() > 100
    assert (got == expected).all(), np.flatnonzero(got != expected)[:10]


def test_house_copy_stays_quiet(finder):
    """Our own articles hedge and warn: a new word or rule must not make the sample corpus's
    sentences fire (``benchmarks/eval_house_claims.py --list`` shows which ones do). The
    bounds are today's counts: 9 sentences with a blocker claim (all in the sample's three
    deliberate claim articles) and 60 hedged only, of 2,102."""
    import importlib.util

    from stackwise_analysis import load_corpus
    from stackwise_analysis.text.sentences import splitter_for

    path = Path(__file__).parents[1] / "benchmarks" / "eval_house_claims.py"
    spec = importlib.util.spec_from_file_location("eval_house_claims", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sentences = module.house_sentences(load_corpus(path.parents[1] / "data" / "articles"),
                                       splitter_for())
    hits = module.flagged(finder, sentences)
    blockers = sum(module.is_blocker(kinds) for kinds, _ in hits)
    hedged = len(hits) - blockers
    assert len(sentences) > 2000
    assert blockers <= 9, blockers
    assert hedged <= 60, hedged
