"""Peak memory of loading and auditing one article of very many short lines.

A hostile or broken export can put a million lines in one file within the size limit. The
audit must stay linear in that: this script writes one such article per line count (the
lines in the intro, in a section body, or as Health Risks bullets), loads and audits it
serially in a fresh subprocess, and prints the subprocess's peak resident memory
(``ru_maxrss``) against a one-line article's, with the growth per 10,000 lines. Growth per
line that stays flat as the count doubles is linear; quadratic growth doubles it.

    python benchmarks/bench_long_lines.py --lines 20000,40000,100000
    prlimit --as=4000000000 python benchmarks/bench_long_lines.py --lines 1000000 --layouts intro

Keep an address-space limit on anything above 100,000 lines: it protects a shared machine
should the audit ever turn quadratic again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYOUTS = ("intro", "section", "bullets")


def write_article(folder: Path, lines: int, layout: str) -> Path:
    """An article of ``lines`` lines, nearly all in its intro, first section or risk list,
    each one letter long: a file cut at every word, as small as lines can be. With no risk
    label, 1,000,000 such lines in the intro make 1,999,998 bytes, within the default
    2,000,000-byte limit."""
    head = ["T", ""]
    if layout != "intro":
        head += ["Low Risk", "", "I", "", "Health Risks" if layout == "bullets"
                 else "How It Works"]
    body = "\n".join("A" if i % 2 else "I" for i in range(max(lines - len(head), 1)))
    if layout == "bullets":
        body = "\n".join("\u2022 " + ln for ln in body.split("\n"))
    path = folder / f"many_{layout}_{lines}.txt"
    path.write_text("\n".join([*head, body]), encoding="utf-8")
    return path


def measure(path: Path) -> dict:
    """Load and audit ``path`` serially in this process; peak RSS and what came out."""
    import resource
    import time

    sys.path.insert(0, str(REPO))
    from stackwise_analysis import audit, load_corpus

    start = time.perf_counter()
    corpus = load_corpus([path], jobs=1, progress=False)
    result = audit(corpus, jobs=1, progress=False)
    return {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "seconds": time.perf_counter() - start, "articles": len(corpus.articles),
            "errors": len(corpus.errors), "readability_rows": len(result.readability)}


def run_one(lines: int, layout: str, folder: Path) -> dict:
    """``measure`` in a fresh interpreter, so each figure is that run's own peak."""
    path = write_article(folder, lines, layout)
    out = subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True,
                         capture_output=True, text=True)
    return {"lines": lines, "layout": layout, "bytes": path.stat().st_size,
            **json.loads(out.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="20000,40000,100000",
                        help="comma-separated line counts (default: %(default)s)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    counts = [int(n) for n in args.lines.split(",")]
    print(f"{'layout':8} {'lines':>9} {'bytes':>10} {'peak MB':>8} {'growth MB':>9} "
          f"{'MB/10k lines':>12} {'s':>6}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for layout in args.layouts.split(","):
            base = run_one(1, layout, Path(tmp))["peak_mb"]
            for n in counts:
                row = run_one(n, layout, Path(tmp))
                growth = row["peak_mb"] - base
                result = (f"{row['articles']} article, {row['errors']} error, "
                          f"{row['readability_rows']} readability rows")
                print(f"{layout:8} {n:>9,} {row['bytes']:>10,} {row['peak_mb']:>8.0f} "
                      f"{growth:>9.0f} {growth / n * 10_000:>12.1f} {row['seconds']:>6.1f}  "
                      f"{result}")


if __name__ == "__main__":
    main()
