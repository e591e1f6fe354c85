"""The health-claim check's share of the audit: how many texts and sentences reach the claim
finder, and what the check costs per 1,000 articles.

Only the sentences ``text.claim_screen`` picks in one vectorised pass are read one by one;
this prints how large that share is on the benchmark corpus, and the time of each step, in
one process.

    python benchmarks/bench_claims.py --n 10000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_pipeline import _corpus  # noqa: E402

from stackwise_analysis import load_corpus, load_styleguide  # noqa: E402
from stackwise_analysis.audits import compliance  # noqa: E402
from stackwise_analysis.audits.units import section_bodies  # noqa: E402
from stackwise_analysis.claims import as_arrow  # noqa: E402
from stackwise_analysis.text.claim_screen import screen  # noqa: E402
from stackwise_analysis.text.sentences import splitter_for, styleguide_abbreviations  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="articles (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    corpus = load_corpus(_corpus(args.n, args.seed), jobs=2, progress=False)
    sg = load_styleguide()
    units = section_bodies(corpus)
    finder = compliance.claim_finder(sg)
    split = splitter_for(styleguide_abbreviations(sg))

    start = time.perf_counter()
    picked = screen(as_arrow(units["text"]), finder, split, {})
    screening = time.perf_counter() - start
    start = time.perf_counter()
    found = sum(len(finder.find(s)) for s in picked.sentence)
    reading = time.perf_counter() - start
    start = time.perf_counter()
    compliance.claim_findings(units, sg)
    whole = time.perf_counter() - start

    total = sum(len(split.spans(t)) for t in units["text"])
    per_k = 1000 / len(corpus.articles)
    print(f"articles {len(corpus.articles):,}  texts {len(units):,}  sentences {total:,}")
    print(f"sentences read by the claim finder {len(picked.sentence):,} "
          f"({len(picked.sentence) / total:.1%} of all); claims found {found:,}")
    print(f"seconds per 1,000 articles: screening {screening * per_k:.3f}, "
          f"claim finder {reading * per_k:.3f}, claim_findings whole {whole * per_k:.3f} "
          f"(token flags warm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
