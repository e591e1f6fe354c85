"""Time the report suite (load, audit, snapshot, notebooks, exports, publish) step by step.

By default it runs the full report on the sample corpus into a temporary folder and prints
the wall time of every step and every notebook (execute + HTML export). ``--n`` runs it on a
synthetic corpus of that many files instead (generated once with make_corpus.py), to show
that the notebooks aggregate before plotting and stay fast as the corpus grows.

    python benchmarks/bench_report.py                  # sample corpus, --jobs 2
    python benchmarks/bench_report.py --repeat 3 --jobs 2
    python benchmarks/bench_report.py --n 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from stackwise_analysis import __version__, report  # noqa: E402

CORPORA = REPO / "benchmarks" / "corpora"
#: The sample corpus judges staleness on the day it was written (data/README.md).
SAMPLE_AS_OF = dt.date(2026, 11, 24)


def _corpus(n: int | None) -> tuple[Path, Path | None]:
    if n is None:
        return REPO / "data" / "articles", REPO / "data" / "catalog.csv"
    from make_corpus import make_corpus

    folder = CORPORA / f"n{n}"
    if not folder.is_dir() or len(list(folder.iterdir())) < n:
        started = time.perf_counter()
        make_corpus(n, 1, folder, REPO / "data" / "articles")
        print(f"generated {n:,} files in {time.perf_counter() - started:.1f} s -> {folder}")
    return folder, None


def _one_run(corpus: Path, metadata: Path | None, jobs: int, out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    result = report.run(corpus, metadata=metadata, out=out, fail_on="never", jobs=jobs,
                        quiet=True, as_of=SAMPLE_AS_OF)
    wall = time.perf_counter() - started
    if result.failed:
        raise SystemExit(f"notebook(s) failed: {result.failed}")
    return wall, result.timings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at once (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time (default 1)")
    parser.add_argument("--n", type=int, default=None,
                        help="use a synthetic corpus of N files instead of the sample")
    args = parser.parse_args(argv)
    corpus, metadata = _corpus(args.n)
    print(f"stackwise-analysis {__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), jobs {args.jobs}, corpus {corpus}")
    walls, timings = [], []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        for number in range(args.repeat):
            wall, steps = _one_run(corpus, metadata, args.jobs, Path(tmp) / "reports")
            walls.append(wall)
            timings.append(steps)
            print(f"run {number + 1}: {wall:.2f} s wall")
        store = Path(tmp) / "reports" / report.HISTORY_FILE
        if store.is_file():  # compare + record are the history's share of each run
            print(f"history store after {args.repeat} run(s): "
                  f"{store.stat().st_size / 2**20:.1f} MB")
    names = list(timings[0])
    width = max(len(n) for n in names) + 2
    print(f"\n{'step':<{width}}{'median s':>10}{'min s':>10}{'max s':>10}")
    for name in names:
        values = [t[name] for t in timings]
        print(f"{name:<{width}}{statistics.median(values):>10.2f}{min(values):>10.2f}"
              f"{max(values):>10.2f}")
    print(f"{'total wall':<{width}}{statistics.median(walls):>10.2f}{min(walls):>10.2f}"
          f"{max(walls):>10.2f}")
    print("\n(notebook:NAME is that notebook's execute + HTML export, run "
          f"{args.jobs} at a time inside the 'notebooks' step; compare and record are the "
          "history store's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
