"""Time load_corpus and audit at several corpus sizes against two references.

For each N the script generates (or reuses) a synthetic corpus with make_corpus.py, then
times, with the same number of processes (--jobs, default 2):

* ours: ``load_corpus`` and ``audit`` (all four audits), separately and together;
* naive baseline: read each file and call textstat's seven formulas on the whole text;
* regex floor: read each file and tokenise it into sentences and words with ``re``;
* incremental: a full run with ``--cache``-style caching (parsed files and audit results),
  then 1% of the files changed and the same run again;
* with ``--dask``: the same audit on a local Dask cluster of ``--jobs`` single-threaded
  workers, beside the process pool (articles per second of the audit alone, both ways).

It prints a table with articles/s, MB/s, peak memory (PSS of the process tree) and our
time as a ratio to each reference, and writes the figures to
benchmarks/results/pipeline-<date>.json. "1% rerun" is the cached load + cached audit after
1% of the files changed, as a share of the full (uncached) run; "(audit)" is the cached audit
alone as a share of the full audit; "cache MB" what the cache holds on disk.

    python benchmarks/bench_pipeline.py --sizes 1000,10000,100000 --jobs 2 [--dask]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from make_corpus import make_corpus  # noqa: E402

from stackwise_analysis import audit, load_corpus  # noqa: E402

CORPORA = REPO / "benchmarks" / "corpora"
RESULTS = REPO / "benchmarks" / "results"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def _naive_one(path: str) -> float:
    import textstat

    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return (textstat.flesch_reading_ease(text) + textstat.flesch_kincaid_grade(text)
            + textstat.gunning_fog(text) + textstat.smog_index(text)
            + textstat.coleman_liau_index(text) + textstat.automated_readability_index(text)
            + textstat.dale_chall_readability_score(text))


def _floor_one(path: str) -> int:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return sum(len(_WORD.findall(s)) for s in _SENTENCE.findall(text))


def _map(fn, paths: list[str], jobs: int) -> float:
    start = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(fn, paths, chunksize=64))
    else:
        list(map(fn, paths))
    return time.perf_counter() - start


class PeakMemory:
    """Peak memory of this process and its workers together, sampled every half second.

    Sums PSS (each page shared by n processes counts 1/n in each), so pages that forked
    workers share with this process are counted once; summing RSS would count them in
    every worker. Reads /proc/PID/smaps_rollup, which the kernel sums cheaply (walking
    smaps of a multi-gigabyte process slows it down); RSS where that file is missing.
    """

    def __init__(self, interval: float = 0.5) -> None:
        import psutil

        self._me = psutil.Process()
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss(proc) -> int:
        try:
            with open(f"/proc/{proc.pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return proc.memory_info().rss

    def _sample(self) -> float:
        total = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            try:
                total += self._pss(proc)
            except Exception:  # a worker that just exited
                continue
        return total / 1e6

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self._sample())

    def __enter__(self) -> PeakMemory:
        self.peak_mb = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._sample())


def _corpus(n: int, seed: int) -> Path:
    folder = CORPORA / f"n{n}-s{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        make_corpus(n, seed, folder, REPO / "data" / "articles")
        marker.touch()
    return folder


def _touch_one_percent(folder: Path, seed: int) -> int:
    files = sorted(folder.glob("*.txt"))
    changed = files[:: max(1, len(files) // max(1, len(files) // 100))][: max(1, len(files) // 100)]
    for path in changed:
        with path.open("ab") as handle:
            handle.write(b"\n")
    return len(changed)


def _dask_audit(corpus, jobs: int) -> float:
    """Seconds to audit ``corpus`` on a fresh local Dask cluster (cluster start not counted)."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        audit(corpus, client=client, progress=False)
        return time.perf_counter() - start


def bench(n: int, jobs: int, seed: int, baseline_max: int, tmp: Path,
          dask: bool = False) -> dict:
    source = _corpus(n, seed)
    paths = sorted(str(p) for p in source.glob("*.txt"))
    # every contender reads warm files: read them all once, as the last contender would
    size_mb = sum(len(Path(p).read_bytes()) for p in paths) / 1e6

    with PeakMemory() as memory:
        start = time.perf_counter()
        corpus = load_corpus(source, jobs=jobs, progress=False)
        t_load = time.perf_counter() - start
        start = time.perf_counter()
        result = audit(corpus, jobs=jobs, progress=False)
        t_audit = time.perf_counter() - start
    t_total = t_load + t_audit
    rss = memory.peak_mb
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t_dask = _dask_audit(corpus, jobs) if dask else None

    sample = paths[:baseline_max]
    scale = len(paths) / len(sample)
    t_naive = _map(_naive_one, sample, jobs) * scale
    t_floor = _map(_floor_one, paths, jobs)

    # incremental: a private copy, a full cached run, 1% changed, a cached re-run
    work = tmp / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work)
    cache = tmp / f"cache-{n}"
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    audit(load_corpus(work, jobs=jobs, progress=False, cache=cache), jobs=jobs, cache=cache,
          progress=False)
    t_first_cached = time.perf_counter() - start
    cache_mb = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 1e6
    changed = _touch_one_percent(work, seed)
    start = time.perf_counter()
    rerun_corpus = load_corpus(work, jobs=jobs, progress=False, cache=cache)
    t_rerun_load = time.perf_counter() - start
    audit(rerun_corpus, jobs=jobs, cache=cache, progress=False)
    t_rerun = time.perf_counter() - start
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)

    articles = len(corpus.articles)
    return {
        "n_files": len(paths), "articles": articles, "errors": len(corpus.errors),
        "findings": len(result.findings), "mb": round(size_mb, 1), "jobs": jobs,
        "load_s": round(t_load, 2), "audit_s": round(t_audit, 2), "total_s": round(t_total, 2),
        "articles_per_s": round(articles / t_total), "mb_per_s": round(size_mb / t_total, 1),
        "peak_mb": round(rss), "main_process_peak_rss_mb": round(own_rss),
        "naive_s": round(t_naive, 2),
        "naive_extrapolated_from": len(sample), "floor_s": round(t_floor, 2),
        "speedup_vs_naive": round(t_naive / t_total, 2),
        "ratio_to_floor": round(t_total / t_floor, 2),
        "first_cached_run_s": round(t_first_cached, 2), "cache_mb": round(cache_mb),
        "changed_files": changed, "rerun_1pct_s": round(t_rerun, 2),
        "rerun_share": round(t_rerun / t_total, 3),
        "rerun_audit_share": round((t_rerun - t_rerun_load) / t_audit, 3),
        "audit_articles_per_s": round(articles / t_audit),
        **({"dask_audit_s": round(t_dask, 2), "dask_audit_articles_per_s":
            round(articles / t_dask)} if t_dask else {}),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated corpus sizes (default 1000,10000,100000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for every contender")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-max", type=int, default=10000,
                        help="run the slow textstat baseline on at most this many files and "
                        "scale its time linearly (default 10000)")
    parser.add_argument("--tmp", type=Path, default=CORPORA / "tmp")
    parser.add_argument("--dask", action="store_true",
                        help="also time the audit on a local Dask cluster of --jobs workers")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    header = (f"{'N':>7} {'load s':>7} {'audit s':>8} {'total s':>8} {'art/s':>7} {'MB/s':>6} "
              f"{'peak MB':>7} {'naive s':>8} {'x naive':>8} {'floor s':>8} {'/ floor':>8} "
              f"{'1% rerun':>9} {'(audit)':>8} {'cache MB':>8}")
    print(header)
    for n in sizes:
        row = bench(n, args.jobs, args.seed, args.baseline_max, args.tmp, args.dask)
        rows.append({"n": n, **row})
        print(f"{n:>7} {row['load_s']:>7.1f} {row['audit_s']:>8.1f} {row['total_s']:>8.1f} "
              f"{row['articles_per_s']:>7} {row['mb_per_s']:>6.1f} {row['peak_mb']:>7} "
              f"{row['naive_s']:>8.1f} {row['speedup_vs_naive']:>8.2f} {row['floor_s']:>8.1f} "
              f"{row['ratio_to_floor']:>8.2f} {row['rerun_share']:>8.1%} "
              f"{row['rerun_audit_share']:>8.1%} {row['cache_mb']:>8}", flush=True)
        if "dask_audit_s" in row:
            print(f"{'':>7} audit alone: process pool {row['audit_articles_per_s']} articles/s, "
                  f"Dask ({args.jobs} workers) {row['dask_audit_articles_per_s']} articles/s "
                  f"({row['dask_audit_s']:.1f} s)", flush=True)
    by_n = {r["n"]: r for r in rows}
    if 100000 in by_n and 10000 in by_n:
        print(f"linearity: time(100k) / time(10k) = "
              f"{by_n[100000]['total_s'] / by_n[10000]['total_s']:.1f} (target 8 to 12)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pipeline-{dt.date.today():%Y%m%d}.json"
    out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "python":
                                           platform.python_version()},
                               "rows": rows}, indent=2))
    print(f"saved {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
