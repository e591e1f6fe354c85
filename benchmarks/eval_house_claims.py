"""What the claim check flags in house copy: every distinct sentence of a corpus, once.

The labelled claim sets measure claims found and false alarms on marketing and editorial
copy; this script is the other guard used while tuning the word lists: our own articles,
which hedge and warn, should stay quiet. Run it before and after a change to the style
guide and compare the counts (``--list`` prints each flagged sentence, so ``diff`` shows
what a change added)::

    python benchmarks/eval_house_claims.py                  # the sample corpus
    python benchmarks/eval_house_claims.py --list > after.txt
    python benchmarks/eval_house_claims.py --corpus path/to/articles --styleguide my.yml

On 2026-12-02 the sample corpus gave 2,102 distinct sentences and 69 flagged: 9 with a
blocker claim (disease or absolute), all in its three deliberate claim articles, and 60
hedged only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def house_sentences(corpus, splitter) -> list[str]:
    """Every distinct sentence of the corpus's intros, sections, risk bullets and
    disclaimers, sorted (a sentence the template repeats in every article counts once)."""
    texts = [*corpus.articles["intro"].dropna(), *corpus.articles["disclaimer"].dropna(),
             *corpus.sections["text"].dropna(), *corpus.risks["risk"].dropna()]
    return sorted({s.strip() for text in texts for s in splitter.sentences(text) if s.strip()})


def flagged(finder, sentences: list[str]) -> list[tuple[list[str], str]]:
    """(claim kinds, sentence) of every sentence the finder flags, in order."""
    found = ((sorted({claim.kind for claim in finder.find(s)}), s) for s in sentences)
    return [(kinds, sentence) for kinds, sentence in found if kinds]


def is_blocker(kinds: list[str]) -> bool:
    """Whether claim kinds hold a blocker (disease or absolute), not only a hedged claim."""
    return bool({"disease", "absolute"} & set(kinds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "articles",
                        help="folder of articles (default: the sample corpus)")
    parser.add_argument("--styleguide", type=Path, default=None,
                        help="style guide YAML (default: the packaged one)")
    parser.add_argument("--list", action="store_true",
                        help="print every flagged sentence with its claim kinds")
    args = parser.parse_args(argv)

    from stackwise_analysis import load_corpus
    from stackwise_analysis.audits.compliance import claim_finder
    from stackwise_analysis.styleguide import load_styleguide
    from stackwise_analysis.text.sentences import splitter_for

    finder = claim_finder(load_styleguide(args.styleguide))
    sentences = house_sentences(load_corpus(args.corpus, progress=False), splitter_for())
    hits = flagged(finder, sentences)
    blockers = sum(is_blocker(kinds) for kinds, _ in hits)
    print(f"{len(sentences):,} distinct sentences, {len(hits):,} flagged: "
          f"{blockers:,} with a blocker claim, {len(hits) - blockers:,} hedged only")
    if args.list:
        for kinds, sentence in hits:
            print(f"{'+'.join(kinds):<18} {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
