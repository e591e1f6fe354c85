"""The scheduled report run: audit once, run the notebooks, export, publish atomically.

``run()`` reads as its steps: load, audit, snapshot, pages (a review page per flagged
article), notebooks (execute + HTML export), files (CSV, Excel, summary, index), publish.
Everything is built in a dot-folder under ``out`` and renamed into place at the end, so an
interrupted run leaves no partial folder and never moves ``latest``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
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

STAGING_PREFIX = ".staging-"
LATEST = "latest"
LATEST_POINTER = "latest.txt"
SNAPSHOT_DIR = "snapshot"


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
        notebook (``notebook:NAME``).
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
    """UTC timestamp plus a random suffix: sorts by start time, unique across hosts."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


# ------------------------------------------------------------------------------ the run
def run(corpus: str | Path = "data/articles", *, metadata=None, styleguide=None,
        out: str | Path = "reports", fail_on: str = "blocker", jobs: int | None = 1,
        notebooks=None, notebooks_dir=None, quiet: bool = False, as_of=None, client=None,
        cache: str | Path | None = None,
        article_pages: int = DEFAULT_ARTICLE_PAGES) -> RunResult:
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
    article_pages : int
        At most this many review pages (``articles/<article_id>.html``) for the articles
        with a finding at warning or above, worst first; the index says how many were left
        out. 0 writes none.

    Returns
    -------
    RunResult
        ``exit_code`` 0, 1 or 3, and where the run was published.

    Raises
    ------
    UsageError, CorpusError, StyleguideError
        Bad arguments, or a corpus with no readable article (exit code 2 in the CLI).
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
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    staging = out / f"{STAGING_PREFIX}{run_id}"
    staging.mkdir()
    started = dt.datetime.now(dt.UTC)
    progress = _Progress(staging / "run.log", quiet)
    try:
        progress.line(f"run {run_id}: corpus {corpus}, {len(sources)} notebook(s), "
                      f"jobs {jobs}, fail on {fail_on}")
        with progress.step("load", f"loading {corpus}"):
            loaded = _load(corpus, metadata, guide, jobs, cache)
        progress.line(f"{len(loaded.articles)} articles read, {len(loaded.errors)} file(s) "
                      "not read")
        with progress.step("audit", "auditing"):
            result = _audit(loaded, guide, as_of, jobs, client, cache)
        progress.line(repr(result))
        with progress.step("snapshot", "writing the snapshot"):
            _write_snapshot(staging, loaded, result, corpus, metadata, guide, as_of)
        with progress.step("pages", f"writing up to {article_pages:,} article review pages"):
            pages = _write_pages(staging, loaded, result, article_pages, run_id)
        progress.line(f"{len(pages.pages):,} article pages written, {pages.left_out:,} "
                      "flagged article(s) left out")
        with progress.step("notebooks", f"running {len(sources)} notebook(s), {jobs} at a time"):
            outcomes = _run_notebooks(sources, staging, progress, jobs=jobs, parameters={
                "snapshot": f"../{SNAPSHOT_DIR}", "corpus": str(Path(corpus).resolve()),
                "metadata": None if metadata is None else str(Path(metadata).resolve()),
                "styleguide": None if styleguide is None else str(Path(styleguide).resolve()),
                "as_of": None if as_of is None else as_of.isoformat()})
        exit_code = _exit_code(result, outcomes, fail_on)
        with progress.step("files", "writing findings.csv, findings.xlsx, articles.csv"):
            files = _write_files(staging, loaded, result, run_id, pages)
        summary = _summary(run_id, started, progress, loaded, result, outcomes, exit_code,
                           fail_on, corpus, metadata, guide, as_of, files)
        summary["article_pages"] = _pages_summary(pages, result.scorecard)
        _write_json(staging / "summary.json", summary)
        _write_index(staging, summary)
        progress.line(f"publishing {out / run_id} (exit code {exit_code})")
        progress.close()
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


def _write_snapshot(staging, loaded, result, corpus, metadata, guide, as_of) -> None:
    from . import snapshot

    snapshot.save(staging / SNAPSHOT_DIR, loaded, result, meta={
        "corpus": str(Path(corpus).resolve()),
        "metadata": None if metadata is None else str(Path(metadata).resolve()),
        "styleguide": list(guide.sources), "as_of": None if as_of is None else str(as_of)})


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
    def __init__(self, progress: _Progress) -> None:
        super().__init__(logging.WARNING)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.line(f"  papermill: {record.getMessage()}")


@contextmanager
def _papermill_warnings_to(progress: _Progress):
    """Papermill's warnings (unknown parameter, no parameters cell) go to the run's log and
    progress lines, so ``quiet`` really is quiet."""
    logger = logging.getLogger("papermill")
    handler = _ToProgress(progress)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


def _exit_code(result, outcomes, fail_on: str) -> int:
    if any(not o.ok for o in outcomes):
        return EXIT_NOTEBOOK
    if fail_on != "never" and len(result.at_or_above(fail_on)):
        return EXIT_FINDINGS
    return EXIT_OK


def _write_files(staging: Path, loaded, result, run_id: str, pages=None) -> list[str]:
    from . import __version__
    from .excel import write_findings_xlsx
    from .pages import page_column
    from .tables import article_table

    links = {} if pages is None else pages.pages
    _write_csv(result.findings.assign(page=page_column(result.findings, links)),
               staging / "findings.csv")
    articles = article_table(loaded, result.scorecard)
    articles.to_csv(staging / "articles.csv", index=False)
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


def _write_csv(frame, path: Path) -> None:
    """A table of text and numbers as CSV, written by Arrow: a tenth of the time pandas
    takes over a million findings. Every text value is quoted."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pa_csv.write_csv(table, path)


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
           "default_notebooks_dir", "latest_run", "new_run_id", "point_latest_at", "publish",
           "run", "select_notebooks"]
