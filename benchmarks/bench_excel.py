"""Time findings.xlsx (and findings.csv) for a corpus of N articles without running a report.

The sample corpus's findings and article table are repeated under new article ids until
they stand for N articles (the sample has 45 articles and about 570 findings, so N=100,000
gives about 1.3 million findings, as a real 100,000-article run does). Each audit's sheet
keeps its worst 20,000 rows, so above about 10,000 articles the workbook's size no longer
grows; the sorting before it still does.

    python benchmarks/bench_excel.py --n 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stackwise_analysis.csv_export import write_csv  # noqa: E402
from stackwise_analysis.excel import write_findings_xlsx  # noqa: E402
from stackwise_analysis.snapshot import compute  # noqa: E402
from stackwise_analysis.tables import article_table  # noqa: E402


def _repeat(frame: pd.DataFrame, copies: int) -> pd.DataFrame:
    """``frame`` ``copies`` times, each copy's article ids suffixed with its number."""
    out = pd.concat([frame] * copies, ignore_index=True)
    copy = np.repeat(np.arange(copies), len(frame)).astype(str)
    out["article_id"] = (out["article_id"].astype("string") + "-" + copy).astype("string")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="articles to stand for")
    args = parser.parse_args(argv)
    snap = compute(REPO / "data" / "articles", metadata=REPO / "data" / "catalog.csv",
                   as_of=dt.date(2026, 11, 24))
    copies = max(1, args.n // len(snap.corpus.articles))
    findings = _repeat(snap.audit.findings, copies)
    articles = _repeat(article_table(snap.corpus, snap.audit.scorecard), copies)
    pages = dict.fromkeys(articles["article_id"].head(2000), "articles/x.html")
    rules = snap.styleguide.rule_table()
    print(f"{len(articles):,} articles, {len(findings):,} findings")
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as tmp:
        started = time.perf_counter()
        findings.to_csv(Path(tmp) / "pandas.csv", index=False)
        print(f"findings.csv   {time.perf_counter() - started:6.2f} s with pandas")
        started = time.perf_counter()
        write_csv(findings, Path(tmp) / "findings.csv")
        print(f"findings.csv   {time.perf_counter() - started:6.2f} s as the report writes it")
        started = time.perf_counter()
        write_findings_xlsx(Path(tmp) / "findings.xlsx", findings, articles=articles,
                            rules=rules, pages=pages)
        seconds = time.perf_counter() - started
        size = (Path(tmp) / "findings.xlsx").stat().st_size
        print(f"findings.xlsx  {seconds:6.2f} s, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
