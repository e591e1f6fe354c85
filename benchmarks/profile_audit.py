"""Where the per-article audit spends its time: cProfile over one worker-sized chunk.

Loads the benchmark corpus, cuts one chunk as a pool worker gets it, warms the process on a
first chunk (imports, syllable tables, compiled word lists: a worker pays them once) and
profiles ``audit_articles`` on the next. Prints wall time per audit and the top functions.

    python benchmarks/profile_audit.py --n 10000 --chunk 1000 --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_pipeline import _corpus  # noqa: E402

from stackwise_analysis import load_corpus, load_styleguide  # noqa: E402
from stackwise_analysis.audits import audit_articles, audit_functions  # noqa: E402
from stackwise_analysis.audits.runner import split_corpus  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=1000, help="articles per chunk")
    parser.add_argument("--top", type=int, default=30, help="functions to print")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    args = parser.parse_args(argv)
    corpus = load_corpus(_corpus(args.n, args.seed), jobs=2, progress=False)
    sg = load_styleguide()
    chunks = split_corpus(corpus, args.chunk)
    audit_articles(next(chunks), sg)  # warm-up: what a worker pays once
    chunk = next(chunks)
    for name, run in audit_functions().items():
        start = time.perf_counter()
        run(chunk, sg)
        print(f"{name:<13} {time.perf_counter() - start:6.3f} s")
    start = time.perf_counter()
    audit_articles(chunk, sg)
    print(f"{'all':<13} {time.perf_counter() - start:6.3f} s for {len(chunk.articles):,} articles")
    profiler = cProfile.Profile()
    profiler.enable()
    audit_articles(chunk, sg)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
