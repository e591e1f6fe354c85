"""Time the history store: compare a run with the previous one, record it, and its size.

Loads and audits a synthetic corpus of ``--n`` files once (make_corpus.py), then plays
``--runs`` report runs against one history store, each with some churn (``--churn`` of the
findings fixed and as many new), timing what the report adds for the history: ``compare``
(status new/open, the fixed list) and ``record`` (one transaction). ``--scale K`` repeats
the audited findings K times under other article ids, to reach the row count of a K times
larger corpus without auditing one (the text repeats, so the file size is a lower bound
there; the 1x figures are real text).

    python benchmarks/bench_history.py --n 10000 --runs 30
    python benchmarks/bench_history.py --n 10000 --runs 5 --scale 10   # ~950,000 findings
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_report import SAMPLE_AS_OF, _corpus  # noqa: E402

from stackwise_analysis import __version__, audit, load_corpus  # noqa: E402
from stackwise_analysis.audits.findings import finding_ids, make_findings  # noqa: E402
from stackwise_analysis.review import history  # noqa: E402


def _scaled(findings: pd.DataFrame, scorecard: pd.DataFrame, k: int):
    """The tables of a corpus K times as large: every article repeated under K ids."""
    if k == 1:
        return findings, scorecard
    copies = [f.assign(article_id=f["article_id"] + f"~{i}") for i in range(k)
              for f in [findings]]
    big = pd.concat(copies, ignore_index=True)
    started = time.perf_counter()
    big["finding_id"] = finding_ids(big)
    print(f"finding ids for {len(big):,} findings: {time.perf_counter() - started:.2f} s")
    cards = pd.concat([scorecard.assign(article_id=scorecard["article_id"] + f"~{i}")
                       for i in range(k)], ignore_index=True)
    return big, cards


def _churn(findings: pd.DataFrame, share: float, run: int, rng) -> pd.DataFrame:
    """``share`` of the findings fixed, and as many new ones (edited evidence)."""
    n = int(len(findings) * share)
    keep = np.ones(len(findings), dtype=bool)
    keep[rng.choice(len(findings), n, replace=False)] = False
    new = findings.iloc[rng.choice(len(findings), n, replace=False)].copy()
    new["evidence"] = new["evidence"].fillna("") + f" (edited in run {run})"
    new["finding_id"] = pd.NA
    return make_findings([findings[keep], new])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="corpus files (default 10000)")
    parser.add_argument("--runs", type=int, default=30, help="runs to record (default 30)")
    parser.add_argument("--scale", type=int, default=1, help="repeat the findings K times")
    parser.add_argument("--churn", type=float, default=0.02, help="share fixed per run")
    parser.add_argument("--jobs", type=int, default=2, help="audit worker processes")
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/")
    args = parser.parse_args(argv)
    corpus_dir, _ = _corpus(args.n)
    loaded = load_corpus(corpus_dir, jobs=args.jobs, progress=False)
    result = audit(loaded, as_of=SAMPLE_AS_OF, jobs=args.jobs, progress=False)
    findings, scorecard = _scaled(result.findings, result.scorecard, args.scale)
    print(f"stackwise-analysis {__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s); {len(scorecard):,} articles, {len(findings):,} findings "
          f"per run, {args.runs} runs, churn {args.churn:.0%}")
    rng = np.random.default_rng(7)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        store = Path(tmp) / "history.duckdb"
        for run in range(args.runs):
            if run:
                findings = _churn(findings, args.churn, run, rng)
            started = time.perf_counter()
            since = history.compare(store, str(corpus_dir), findings)
            compared = time.perf_counter()
            facts = {"run_id": f"run-{run:03d}", "corpus": str(corpus_dir), "exit_code": 1,
                     "started": dt.datetime.now(dt.UTC), "finished": dt.datetime.now(dt.UTC)}
            history.record(store, history.build_record(
                facts, findings.assign(status=since.status), scorecard, since))
            done = time.perf_counter()
            size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
            rows.append({"run": run + 1, "findings": len(findings),
                         "compare_s": round(compared - started, 3),
                         "record_s": round(done - compared, 3), "store_mb": round(size, 1),
                         **{k: v for k, v in (since.counts() or {}).items() if k != "run_id"}})
            print(f"run {run + 1:>3}: compare {rows[-1]['compare_s']:.2f} s, record "
                  f"{rows[-1]['record_s']:.2f} s, store {size:,.1f} MB")
    later = rows[1:] or rows
    summary = {"articles": len(scorecard), "findings_per_run": len(findings),
               "runs": args.runs, "scale": args.scale, "churn": args.churn,
               "median_compare_s": statistics.median(r["compare_s"] for r in later),
               "median_record_s": statistics.median(r["record_s"] for r in later),
               "final_store_mb": rows[-1]["store_mb"]}
    print(json.dumps(summary, indent=1))
    if args.save:
        out = REPO / "benchmarks" / "results" / f"history-{dt.date.today():%Y%m%d}-n{args.n}"\
            f"x{args.scale}.json"
        out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(),
                                               "python": platform.python_version()},
                                   "summary": summary, "runs": rows}, indent=1) + "\n")
        print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
