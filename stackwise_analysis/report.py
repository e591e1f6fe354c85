"""The scheduled report run: audit once, run the notebooks, export, publish atomically.

``run()`` reads as its steps: load, audit, snapshot, pages (a review page per flagged
article), notebooks (execute + HTML export; the CSV, Excel and SARIF exports are written
meanwhile), files (what is left of the exports), summary and index, publish.
Everything is built in a dot-folder under ``out`` and renamed into place at the end, so an
interrupted run leaves no partial folder and never moves ``latest``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import re
import secrets
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .constants import (
    DEFAULT_ARTICLE_PAGES,
    EXIT_FINDINGS,
    EXIT_NOTEBOOK,
    EXIT_OK,
    EXIT_USAGE,
    FAIL_ON,
)
from .exceptions import CorpusError, UsageError
from .lifetime import claim, release, remove_orphans

STAGING_PREFIX = ".staging-"
LATEST = "latest"
LATEST_POINTER = "latest.txt"
SNAPSHOT_DIR = "snapshot"
HISTORY_FILE = "history.duckdb"
#: What a run folder's name looks like (``new_run_id``).
RUN_ID = re.compile(r"\d{8}T\d{6}(?:\.\d{3})?Z-[0-9a-f]{6}")


@dataclass
class RunResult:
    """The outcome of ``run()``.

    Attributes
    ----------
    exit_code : int
        0 clean, 1 findings at or above ``fail_on``, 3 a notebook failed.
    run_id : str
    run_dir, index_path : Path
        The published run folder and its index.html.
    failed : dict
        Notebook name -> error, for every notebook that failed.
    timings : dict
        Seconds per step (load, audit, snapshot, pages, notebooks, files, publish) and per
        notebook (``notebook:NAME``); ``files`` is the wait for the exports after the
        notebooks, which they are written beside.
    latest_updated : bool
        Whether ``latest`` now points at this run (not when a notebook failed).
    """

    exit_code: int
    run_id: str
    run_dir: Path | None
    index_path: Path | None
    failed: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    latest_updated: bool = False
    summary: dict = field(default_factory=dict, repr=False)


# ------------------------------------------------------------------------------ progress
class _Progress:
    """Progress lines to stderr (unless quiet) and to run.log, with step timings."""

    def __init__(self, log_path: Path, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._lock = threading.Lock()
        self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def line(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            if not self._log.closed:
                self._log.write(f"{stamp} [{elapsed:6.1f}s] {message}\n")
                self._log.flush()
            if not self.quiet:
                print(f"stackwise-analysis report [{elapsed:5.1f}s] {message}", file=sys.stderr,
                      flush=True)

    @contextmanager
    def step(self, name: str, message: str):
        self.line(message)
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)

    def close(self) -> None:
        with self._lock:
            self._log.close()


# ------------------------------------------------------------------------------ arguments
def default_notebooks_dir() -> Path:
    """The packaged notebooks when installed from a wheel, else the checkout's notebooks/."""
    packaged = Path(__file__).resolve().parent / "notebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "notebooks"


def select_notebooks(names=None, folder: str | Path | None = None) -> list[Path]:
    """The notebooks to run, in name order.

    ``names`` (a list, or one comma-separated string) picks some by file stem, with or
    without the number prefix (``04_readability`` or ``readability``); None takes all.

    Raises
    ------
    UsageError
        The folder has no notebooks, or a name matches none of them.

    Examples
    --------
    >>> [p.name for p in select_notebooks("readability")]
    ['04_readability.ipynb']
    """
    folder = Path(folder) if folder is not None else default_notebooks_dir()
    if not folder.is_dir():
        raise UsageError(f"notebooks folder not found: {folder}")
    available = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not available:
        raise UsageError(f"no notebooks (*.ipynb) in {folder}")
    if names is None:
        return available
    if isinstance(names, str):
        names = names.split(",")
    wanted = [n.strip().removesuffix(".ipynb") for n in names if n.strip()]
    if not wanted:
        raise UsageError("--notebooks names no notebook")
    chosen = []
    for name in wanted:
        matches = [p for p in available
                   if name in (p.stem, p.stem.split("_", 1)[-1])]
        if not matches:
            raise UsageError(f"no notebook named {name!r} in {folder}; choose from "
                             + ", ".join(p.stem for p in available))
        chosen += [m for m in matches if m not in chosen]
    return sorted(chosen)


def _check_arguments(corpus, metadata, fail_on, jobs, as_of):
    if fail_on not in FAIL_ON:
        raise UsageError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if jobs is None:
        jobs = os.cpu_count() or 1
    if not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    if not Path(corpus).exists():
        raise CorpusError(f"corpus not found: {corpus}")
    if metadata is not None and not Path(metadata).is_file():
        raise UsageError(f"metadata file not found: {metadata}")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)") from None
    return jobs, as_of


def _check_article_pages(article_pages) -> None:
    if isinstance(article_pages, bool) or not isinstance(article_pages, int) or article_pages < 0:
        raise UsageError(f"article_pages must be a whole number of at least 0, not "
                         f"{article_pages!r}")


def new_run_id() -> str:
    """UTC timestamp to the millisecond plus a random suffix: sorts by start time (two runs
    in one second too, so ``--keep`` prunes the older), unique across hosts.

    >>> new_run_id()  # doctest: +SKIP
    '20261201T042157.123Z-19cb0c'
    """
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


# ------------------------------------------------------------------------------ the run
def run(corpus: str | Path = "data/articles", *, metadata=None, styleguide=None,
        out: str | Path = "reports", fail_on: str = "blocker", jobs: int | None = 1,
        notebooks=None, notebooks_dir=None, quiet: bool = False, as_of=None, client=None,
        cache: str | Path | None = None, history: str | Path | bool = True,
        new_only: bool = False, article_pages: int = DEFAULT_ARTICLE_PAGES,
        waivers: str | Path | None = None) -> RunResult:
    """Audit a corpus, run the notebook suite on the result and publish the reports.

    Parameters
    ----------
    corpus : path
        Folder or file of articles.
    metadata : path, optional
        Catalog CSV keyed by article_id.
    styleguide : path, optional
        Style guide YAML overriding the house rules.
    out : path
        Where run folders are published (``out/<run-id>/``, ``out/latest``).
    fail_on : {"blocker", "warning", "info", "never"}
        Exit 1 when any finding is at or above this severity.
    jobs : int or None
        Notebooks run at once (and worker processes for the audit); None is all cores.
    notebooks : list of str or str, optional
        Names of the notebooks to run; all when None.
    notebooks_dir : path, optional
        Run these notebooks instead of the packaged ones.
    quiet : bool
        No progress lines on stderr (run.log still has them).
    as_of : date or "YYYY-MM-DD", optional
        The day staleness is judged on; today when None.
    client : dask.distributed.Client, optional
        Run the per-article audit on this Dask cluster (see ``audit``).
    cache : path, optional
        Cache of parsed files and per-article audit results (see ``load_corpus`` and
        ``audit``): a re-run reads and audits only what changed.
    history : path or bool
        The history store the run is compared with and recorded in: True is
        ``out/history.duckdb``, a path puts it elsewhere, False records nothing (then
        every finding is ``new``).
    new_only : bool
        Count only findings whose status is ``new`` for the exit code, so that old
        findings do not fail a scheduled run while they are worked off.
    article_pages : int
        At most this many review pages (``articles/<article_id>.html``) for the articles
        with a finding at warning or above, worst first; the index says how many were left
        out. 0 writes none.
    waivers : path, optional
        Reviewers' decisions (``waivers.yml``): a finding an active waiver matches keeps
        its row with status ``waived`` and never counts for the exit code; expired and
        stale waivers draw ``review.*`` findings. The file is only read, never rewritten.

    Returns
    -------
    RunResult
        ``exit_code`` 0, 1 or 3, and where the run was published.

    Raises
    ------
    UsageError, CorpusError, StyleguideError, WaiversError, HistoryError
        Bad arguments, a corpus with no readable article, a malformed style guide or
        waivers file, or a history store that cannot be used (exit code 2 in the CLI).
        Nothing is published then.

    Examples
    --------
    >>> result = run("data/articles", metadata="data/catalog.csv", fail_on="never")
    ... # doctest: +SKIP
    >>> result.exit_code, result.index_path  # doctest: +SKIP
    (0, PosixPath('reports/20261124T101500Z-3fa2c1/index.html'))
    """
    jobs, as_of = _check_arguments(corpus, metadata, fail_on, jobs, as_of)
    _check_article_pages(article_pages)
    sources = select_notebooks(notebooks, notebooks_dir)
    guide = _styleguide(styleguide)
    decisions = _waivers(waivers, guide)
    out = Path(out)
    store = _history_path(history, out)
    run_id = new_run_id()
    staging = out / f"{STAGING_PREFIX}{run_id}"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; choose a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_orphans(out, f"{STAGING_PREFIX}*")  # left by runs that were killed
        staging.mkdir()
        claim(staging)
    except OSError as exc:
        raise UsageError(f"cannot write to --out {out}: {exc.strerror or exc}; choose a "
                         "writable folder") from None
    started = dt.datetime.now(dt.UTC)
    progress = _Progress(staging / "run.log", quiet)
    try:
        progress.line(f"run {run_id}: corpus {corpus}, {len(sources)} notebook(s), "
                      f"jobs {jobs}, fail on {fail_on}")
        with (progress.step("load", f"loading {corpus}"),
              _papermill_warnings_to(progress, "stackwise_analysis", "warning: ")):
            loaded = _load(corpus, metadata, guide, jobs, cache)
        progress.line(f"{len(loaded.articles)} articles read, {len(loaded.errors)} file(s) "
                      "not read")
        with (progress.step("audit", "auditing"),
              _papermill_warnings_to(progress, "stackwise_analysis", "warning: ")):
            result = _audit(loaded, guide, as_of, jobs, client, cache)
        progress.line(repr(result))
        waived = _apply_waivers(result, decisions, waivers, loaded, as_of, progress)
        with progress.step("compare", "comparing with the previous run"):
            since = _compare(store, corpus, result, progress)
        since.status = since.status.mask(waived.to_numpy(), "waived")
        result.findings = _with_status(result.findings, since.status)
        facts = _run_facts(run_id, started, corpus, loaded, guide, fail_on, new_only, out)
        with progress.step("snapshot", "writing the snapshot"):
            _write_snapshot(staging, loaded, result, corpus, metadata, guide, as_of,
                            history=_pending_run(store, facts, result, since))
        with progress.step("pages", f"writing up to {article_pages:,} article review pages"):
            pages = _write_pages(staging, loaded, result, article_pages, run_id)
        progress.line(f"{len(pages.pages):,} article pages written, {pages.left_out:,} "
                      "flagged article(s) left out")
        # The exports are written while the notebooks run: the kernels are other processes,
        # and this one mostly waits for them.
        exports = ThreadPoolExecutor(1, thread_name_prefix="exports")
        written = exports.submit(_write_exports, staging, loaded, result, run_id, pages, since,
                                 store)
        try:
            with progress.step("notebooks",
                               f"running {len(sources)} notebook(s), {jobs} at a time, "
                               "and writing the exports"):
                outcomes = _run_notebooks(sources, staging, progress, jobs=jobs, parameters={
                    "snapshot": f"../{SNAPSHOT_DIR}", "corpus": str(Path(corpus).resolve()),
                    "metadata": None if metadata is None else str(Path(metadata).resolve()),
                    "styleguide": (None if styleguide is None
                                   else str(Path(styleguide).resolve())),
                    "as_of": None if as_of is None else as_of.isoformat()})
            exit_code = _exit_code(result, outcomes, fail_on, new_only)
            with progress.step("files", "finishing findings.csv, findings.xlsx, articles.csv, "
                                        "findings.sarif"):
                files = written.result()
        finally:
            exports.shutdown(wait=True)
        summary = _summary(run_id, started, progress, loaded, result, outcomes, exit_code,
                           fail_on, corpus, metadata, guide, as_of, files)
        summary.update(_since_summary(since, store, out, new_only))
        summary["article_pages"] = _pages_summary(pages, result.scorecard)
        summary["waivers"] = _waiver_summary(result.findings, waivers, decisions)
        _write_json(staging / "summary.json", summary)
        _write_index(staging, summary)
        if store is not None:
            with progress.step("record", f"recording the run in {store}"):
                _record(store, facts, summary, result, since, progress)
        progress.line(f"publishing {out / run_id} (exit code {exit_code})")
        progress.close()
        release(staging)
        publish_started = time.perf_counter()
        run_dir = publish(staging, out, run_id, point_latest=exit_code != EXIT_NOTEBOOK)
        progress.timings["publish"] = round(time.perf_counter() - publish_started, 3)
    except BaseException:
        progress.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not quiet:
        moved = "latest -> this run" if exit_code != EXIT_NOTEBOOK else "latest unchanged"
        print(f"stackwise-analysis report: published {run_dir} ({moved})", file=sys.stderr)
    timings = dict(progress.timings)
    timings.update({f"notebook:{o.name}": round(o.execute_seconds + o.export_seconds, 3)
                    for o in outcomes})
    return RunResult(exit_code=exit_code, run_id=run_id, run_dir=run_dir,
                     index_path=run_dir / "index.html",
                     failed={o.name: o.error for o in outcomes if not o.ok},
                     timings=timings, latest_updated=exit_code != EXIT_NOTEBOOK,
                     summary=summary)


# ------------------------------------------------------------------------------ steps
def _styleguide(path):
    from .styleguide import load_styleguide

    try:
        return load_styleguide(path)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None


def _load(corpus, metadata, guide, jobs, cache=None):
    from .corpus import load_corpus

    try:
        loaded = load_corpus(corpus, metadata=metadata, styleguide=guide, jobs=jobs,
                             progress=False, cache=cache)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise CorpusError(str(exc)) from None
    if loaded.articles.empty:
        kinds = ", ".join(sorted(set(loaded.errors["error"].dropna()))) or "no article files"
        raise CorpusError(f"no article could be read from {corpus} ({len(loaded.errors)} "
                          f"file(s) rejected: {kinds})")
    return loaded


def _audit(loaded, guide, as_of, jobs, client=None, cache=None):
    from .audits import audit

    return audit(loaded, guide, as_of=as_of, jobs=jobs, client=client, cache=cache,
                 progress=False)


def _write_snapshot(staging, loaded, result, corpus, metadata, guide, as_of, history=None
                    ) -> None:
    from . import snapshot

    snapshot.save(staging / SNAPSHOT_DIR, loaded, result, meta={
        "corpus": str(Path(corpus).resolve()),
        "metadata": None if metadata is None else str(Path(metadata).resolve()),
        "styleguide": list(guide.sources), "as_of": None if as_of is None else str(as_of),
        "history": history})


def _write_pages(staging: Path, loaded, result, limit: int, run_id: str):
    from .pages import write_article_pages

    return write_article_pages(staging, loaded, result, limit=limit, run_id=run_id)


def _pages_summary(pages, scorecard, worst: int = 20) -> dict:
    """What the index says about the review pages: counts, and the worst articles with
    their finding counts and page (None where the cap left one out)."""
    import pandas as pd

    from .tables import worst_articles

    top = worst_articles(scorecard, worst)
    top = top[(top["blocker"] + top["warning"]) > 0]
    rows = [{"article_id": str(row["article_id"]),
             "title": None if pd.isna(row.get("title")) else str(row.get("title")),
             **{s: int(row[s]) for s in ("blocker", "warning", "info")},
             "page": pages.pages.get(row["article_id"])}
            for row in top.to_dict("records")]
    return {"written": len(pages.pages), "flagged": pages.flagged,
            "left_out": pages.left_out, "limit": pages.limit, "worst": rows}


def _run_notebooks(sources: list[Path], staging: Path, progress: _Progress, *, jobs: int,
                   parameters: dict) -> list:
    """Execute and export every notebook, ``jobs`` at a time; outcomes in input order."""
    from .notebook_run import KernelHome, run_one

    (staging / "notebooks").mkdir()
    home = KernelHome(staging / ".kernels")

    def done(outcome) -> None:
        state = "ok" if outcome.ok else f"FAILED: {outcome.error}"
        progress.line(f"  {outcome.name}: {state} (run {outcome.execute_seconds:.1f}s, "
                      f"export {outcome.export_seconds:.1f}s)")

    pool = ThreadPoolExecutor(max_workers=min(jobs, len(sources)),
                              thread_name_prefix="notebook")
    with _papermill_warnings_to(progress):
        futures = [pool.submit(run_one, source, staging, home=home, parameters=parameters,
                               on_done=done) for source in sources]
        try:
            outcomes = [f.result() for f in futures]
        except BaseException:
            # Ctrl-C: stop the kernels so the worker threads end now, not when the cells do
            for future in futures:
                future.cancel()
            home.kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    shutil.rmtree(home.folder, ignore_errors=True)
    return outcomes


class _ToProgress(logging.Handler):
    def __init__(self, progress: _Progress, prefix: str = "papermill: ") -> None:
        super().__init__(logging.WARNING)
        self.progress = progress
        self.prefix = prefix

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.line(f"  {self.prefix}{record.getMessage()}")
        if self.progress.quiet and self.prefix == "warning: ":  # ours reach stderr anyway
            print(f"stackwise-analysis report: {self.prefix}{record.getMessage()}",
                  file=sys.stderr)


@contextmanager
def _papermill_warnings_to(progress: _Progress, name: str = "papermill",
                           prefix: str = "papermill: "):
    """Papermill's warnings (unknown parameter, no parameters cell) go to the run's log and
    progress lines, so ``quiet`` really is quiet; so do this package's (a damaged cache
    segment) with ``name="stackwise_analysis"``."""
    logger = logging.getLogger(name)
    handler = _ToProgress(progress, prefix)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


def _exit_code(result, outcomes, fail_on: str, new_only: bool = False) -> int:
    if any(not o.ok for o in outcomes):
        return EXIT_NOTEBOOK
    counted = result.at_or_above(fail_on) if fail_on != "never" else result.findings.iloc[0:0]
    if new_only:
        counted = counted[counted["status"] == "new"]
    if "status" in counted.columns:  # a reviewer's decision: never fails a run
        counted = counted[counted["status"] != "waived"]
    return EXIT_FINDINGS if len(counted) else EXIT_OK


def _write_exports(staging: Path, loaded, result, run_id: str, pages, since, store
                   ) -> list[str]:
    """Every export of the run's findings into ``staging``; the names of the files."""
    return [*_write_files(staging, loaded, result, run_id, pages),
            *_write_fixed(staging, since, store), *_write_sarif(staging, loaded, result)]


def _write_files(staging: Path, loaded, result, run_id: str, pages=None) -> list[str]:
    from . import __version__
    from .csv_export import write_csv
    from .excel import write_findings_xlsx
    from .pages import page_column
    from .tables import article_table

    links = {} if pages is None else pages.pages
    write_csv(result.findings.assign(page=page_column(result.findings, links)),
              staging / "findings.csv")
    articles = article_table(loaded, result.scorecard)
    write_csv(articles, staging / "articles.csv")
    write_findings_xlsx(staging / "findings.xlsx", result.findings, articles=articles,
                        info={"run id": run_id, "corpus": str(loaded.root),
                              "articles": len(loaded.articles),
                              "files not read": len(loaded.errors),
                              "corpus fingerprint": loaded.fingerprint,
                              "stackwise-analysis": __version__},
                        rules=result.styleguide.rule_table() if result.styleguide else None,
                        pages=links)
    return ["findings.csv", "findings.xlsx", "articles.csv", "summary.json", "run.log",
            "index.html"]


def _summary(run_id, started, progress, loaded, result, outcomes, exit_code, fail_on, corpus,
             metadata, guide, as_of, files) -> dict:
    from . import __version__
    from .tables import severity_counts

    finished = dt.datetime.now(dt.UTC)
    counts = severity_counts(result.findings)
    status = (result.scorecard["status"].astype("string").value_counts().to_dict()
              if "status" in result.scorecard.columns else {})
    return {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_seconds": round((finished - started).total_seconds(), 3),
        "exit_code": exit_code,
        "fail_on": fail_on,
        "package_version": __version__,
        "python": platform.python_version(),
        "as_of": None if as_of is None else as_of.isoformat(),
        "corpus": {
            "source": str(Path(corpus).resolve()),
            "metadata": None if metadata is None else str(Path(metadata).resolve()),
            "styleguide": list(guide.sources),
            "fingerprint": loaded.fingerprint,
            "articles": len(loaded.articles),
            "files_not_read": len(loaded.errors),
        },
        "steps": dict(progress.timings),
        "findings": {
            "total": int(len(result.findings)),
            "by_severity": {s: int(counts[s].sum()) for s in counts.columns},
            "by_audit": {a: {s: int(n) for s, n in row.items()} for a, row in
                         counts.iterrows()},
        },
        "articles_by_status": {str(k): int(v) for k, v in status.items()},
        "notebooks": [{
            "name": o.name, "title": o.title or o.name,
            "status": "ok" if o.ok else "failed", "error": o.error,
            "seconds": round(o.execute_seconds + o.export_seconds, 3),
            "execute_seconds": round(o.execute_seconds, 3),
            "export_seconds": round(o.export_seconds, 3),
            "html": o.html, "ipynb": o.ipynb} for o in outcomes],
        "failed_notebooks": [o.name for o in outcomes if not o.ok],
        "files": files,
    }


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")


def _write_index(staging: Path, summary: dict) -> None:
    from .index_page import render_index

    (staging / "index.html").write_text(render_index(summary), encoding="utf-8")


# ------------------------------------------------------------------------------ waivers
def _waivers(path, guide) -> list:
    """The reviewers' decisions, checked before anything is written (a malformed file is
    exit 2 and publishes nothing)."""
    from .review.waivers import load_waivers

    if path is None:
        return []
    try:
        return load_waivers(path, guide)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None


def _apply_waivers(result, decisions: list, path, loaded, as_of, progress):
    """Mark waived findings and add the ``review.*`` ones (expired, stale waivers); the
    scorecard is recounted without the waived findings. Returns the waived mask."""
    from .audits import scorecard
    from .review.waivers import DEFAULT_WAIVERS, apply_waivers

    source = DEFAULT_WAIVERS if path is None else Path(path).name
    applied = apply_waivers(result.findings, decisions, result.styleguide, today=as_of,
                            source=source)
    result.findings = applied.findings
    if decisions:
        result.scorecard = scorecard(loaded, applied.findings[~applied.waived.to_numpy()],
                                     result.readability)
        progress.line(f"{len(decisions)} waiver(s) in {path}: {int(applied.waived.sum())} "
                      "finding(s) waived")
    return applied.waived


def _with_status(findings, status):
    from .review.waivers import with_status

    return with_status(findings, status)


def _write_sarif(staging: Path, loaded, result) -> list[str]:
    from . import __version__
    from .sarif import sarif_log, write_sarif

    write_sarif(staging / "findings.sarif", sarif_log(
        result.findings, loaded.articles, result.styleguide, root=loaded.root,
        version=__version__))
    return ["findings.sarif"]


def _waiver_summary(findings, path, decisions: list) -> dict:
    """What summary.json and index.html say of the reviewers' decisions."""
    waived = findings[findings["status"] == "waived"]
    checks = findings["check"].astype("string")
    return {"file": None if path is None else str(Path(path).resolve()),
            "entries": len(decisions), "waived": len(waived),
            "waived_by_severity": {s: int(n) for s, n in
                                   waived["severity"].value_counts().items() if n},
            "expired": int((checks == "review.waiver_expired").sum()),
            "stale": int((checks == "review.stale_waiver").sum())}


# ------------------------------------------------------------------------------ history
def _history_path(history, out: Path) -> Path | None:
    """The history store's file: ``out/history.duckdb`` for True, None for False/None."""
    if history is None or history is False:
        return None
    if history is True:
        return out / HISTORY_FILE
    path = Path(history)
    if path.is_dir():
        raise UsageError(f"history {path} is a folder; give the database file, e.g. "
                         f"{path / HISTORY_FILE}")
    return path


def _compare(store: Path | None, corpus, result, progress: _Progress):
    from .review import history

    if store is None:
        return history.all_new(result.findings)
    since = history.compare(store, Path(corpus).resolve(), result.findings,
                            on_wait=progress.line)
    if since.previous_run_id is None:
        progress.line("no previous run on this corpus: every finding is new")
    else:
        counts = since.counts()
        progress.line(f"since {since.previous_run_id}: {counts['new']} new, "
                      f"{counts['open']} open, {counts['fixed']} fixed")
    return since


def _run_facts(run_id, started, corpus, loaded, guide, fail_on, new_only, out) -> dict:
    """The ``runs`` row's facts known before the notebooks run."""
    from . import __version__

    return {"run_id": run_id, "started": started, "corpus": str(Path(corpus).resolve()),
            "corpus_fingerprint": loaded.fingerprint, "styleguide_sha256": guide.sha256,
            "package_version": __version__, "fail_on": fail_on, "new_only": new_only,
            "run_dir": str((out / run_id).resolve()), "files_not_read": len(loaded.errors)}


def _pending_run(store: Path | None, facts: dict, result, since) -> dict:
    """What the trends notebook needs of this run: where the store is and this run's
    ``runs`` row (it is recorded only after the notebooks)."""
    from .review import history

    row = history.build_record(facts, result.findings, result.scorecard, since).run
    return {"store": None if store is None else str(store.resolve()),
            "run": json.loads(json.dumps(row, default=str))}


def _write_fixed(staging: Path, since, store: Path | None) -> list[str]:
    from .csv_export import write_csv

    if store is None:
        return []
    # like findings.csv: evidence is article text, which may begin like a formula
    write_csv(since.fixed, staging / "fixed.csv")
    return ["fixed.csv"]


def _since_summary(since, store: Path | None, out: Path, new_only: bool) -> dict:
    previous = since.previous_run_id
    link = (f"../{previous}/index.html"
            if previous is not None and (out / previous / "index.html").is_file() else None)
    return {"since_previous": since.counts(), "new_only": new_only,
            "history": None if store is None else str(store.resolve()),
            "previous_run": None if previous is None else {"run_id": previous, "index": link}}


def _record(store: Path, facts: dict, summary: dict, result, since, progress) -> None:
    from .review import history

    facts = {**facts, "finished": dt.datetime.fromisoformat(summary["finished"]),
             "exit_code": summary["exit_code"]}
    history.record(store, history.build_record(facts, result.findings, result.scorecard,
                                               since), on_wait=progress.line)


# ------------------------------------------------------------------------------ publish
def publish(staging: Path, out: Path, run_id: str, *, point_latest: bool = True) -> Path:
    """Rename the finished staging folder to ``out/<run_id>`` and, if asked, point
    ``out/latest`` at it; both steps are single atomic renames.

    ``latest`` is a relative symlink swapped with ``os.replace``; where symlinks cannot be
    made, ``latest.txt`` (holding the run id) is replaced instead.
    """
    final = out / run_id
    if final.exists():
        raise UsageError(f"{final} already exists")
    os.rename(staging, final)
    if point_latest:
        point_latest_at(out, run_id)
    return final


def point_latest_at(out: Path, run_id: str) -> None:
    """Atomically make ``out/latest`` (or ``out/latest.txt``) name ``run_id``."""
    tmp = out / f".{LATEST}-{run_id}"
    try:
        os.symlink(run_id, tmp, target_is_directory=True)
        os.replace(tmp, out / LATEST)
        return
    except (OSError, NotImplementedError):
        try:
            tmp.unlink()
        except OSError:
            pass
    # no symlinks here (some network and Windows file systems): a pointer file instead
    pointer = out / f".{LATEST_POINTER}-{run_id}"
    pointer.write_text(run_id + "\n", encoding="utf-8")
    os.replace(pointer, out / LATEST_POINTER)


def prune_runs(out: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` run folders in ``out``, never the one ``latest``
    points to; returns the folders deleted. Staging folders and other files are left alone.

    >>> prune_runs("reports", 30)  # doctest: +SKIP
    [PosixPath('reports/20261001T020000Z-1a2b3c')]
    """
    out = Path(out)
    if not out.is_dir():
        raise UsageError(f"run folder {out} not found")
    folders = sorted(p for p in out.iterdir() if RUN_ID.fullmatch(p.name) and p.is_dir()
                     and not p.is_symlink())
    latest = latest_run(out)
    doomed = [p for p in folders[:-keep] if latest is None or p.resolve() != latest.resolve()]
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed


def latest_run(out: str | Path = "reports") -> Path | None:
    """The run folder ``latest`` points at (symlink or ``latest.txt``), or None."""
    out = Path(out)
    link = out / LATEST
    if link.is_symlink() or link.is_dir():
        return link.resolve()
    pointer = out / LATEST_POINTER
    if pointer.is_file():
        return out / pointer.read_text(encoding="utf-8").strip()
    return None


__all__ = ["EXIT_FINDINGS", "EXIT_NOTEBOOK", "EXIT_OK", "EXIT_USAGE", "RunResult",
           "default_notebooks_dir", "latest_run", "new_run_id", "point_latest_at", "prune_runs",
           "publish",
           "run", "select_notebooks"]
