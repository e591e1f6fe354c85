"""Run the per-article audit stage serially, in a process pool or on Dask (``result_cache``
keeps per-article results between runs).

Every row of the per-article stage depends on one article and the style guide only, so the
corpus is cut into chunks of articles, each chunk audited on its own, and the pieces joined
in chunk order: the same result whatever the number of workers, or whether it came from the
cache (tests/test_runner.py holds all of these to the plain serial run).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..columns import positions
from ..corpus import Corpus
from ..lifetime import die_with_parent
from ..styleguide import Styleguide
from .result_cache import ResultCache

#: Articles per chunk, at least and at most: each chunk costs a fixed few hundred
#: milliseconds of DataFrame work, so chunks are not small; a worker's memory grows with its
#: chunk (100,000 articles, 2 workers: peak 2.36 GB with chunks of 5,000, 2.16 GB with
#: 2,500, 2.04 GB with 1,500, each in about the same time), so they are not large either.
MIN_CHUNK_ARTICLES = 500
MAX_CHUNK_ARTICLES = 2000
#: Columns of ``articles`` the per-article stage may read; anything else (metadata such as
#: ``last_reviewed``) is judged corpus-wide, so that the cache key can ignore it.
STAGE_ARTICLE_COLUMNS = (
    "article_id", "path", "format", "title", "title_line", "risk_level", "risk_label_raw",
    "risk_label_line", "intro", "intro_line", "word_count", "section_count", "risk_count",
    "has_disclaimer", "disclaimer", "disclaimer_line", "content_sha256",
)

Stage = Callable[[Corpus, Styleguide], "tuple[pd.DataFrame, pd.DataFrame]"]


def chunk_size(articles: int, workers: int) -> int:
    """Articles per chunk: at least two chunks per worker and as many for every worker (so
    none waits on another's last chunk), within the module's bounds.

    >>> chunk_size(100_000, 2), chunk_size(10_000, 2), chunk_size(1_000, 2)
    (2000, 1667, 500)
    """
    rounds = max(2, -(-articles // (MAX_CHUNK_ARTICLES * workers)))
    return min(MAX_CHUNK_ARTICLES,
               max(MIN_CHUNK_ARTICLES, -(-articles // (rounds * workers))))


def split_corpus(corpus: Corpus, size: int = MAX_CHUNK_ARTICLES) -> Iterator[Corpus]:
    """Cut ``corpus`` into consecutive pieces of at most ``size`` articles (one pass).

    Sections and risks in article order (as ``load_corpus`` gives them) are cut as slices,
    which copy nothing; in any other order they are grouped.

    >>> sizes = [len(c.articles) for c in split_corpus(corpus, 20)]
    >>> sizes[:-1], 0 < sizes[-1] <= 20, sum(sizes) == len(corpus.articles)
    ([20, 20], True, True)
    """
    articles = corpus.articles
    starts = range(0, len(articles), size)
    pieces = {}
    for name in ("sections", "risks"):
        frame = getattr(corpus, name)
        chunk_of = positions(frame["article_id"], articles["article_id"]) // size
        if len(frame) == 0 or (np.diff(chunk_of) >= 0).all():
            bounds = np.searchsorted(chunk_of, np.arange(len(starts) + 1), side="left")
            pieces[name] = [frame.iloc[bounds[i]:bounds[i + 1]] for i in range(len(starts))]
        else:
            groups = dict(iter(frame.groupby(chunk_of, sort=True)))
            pieces[name] = [groups.get(i, frame.iloc[0:0]) for i in range(len(starts))]
    for number, start in enumerate(starts):
        yield Corpus(
            articles=articles.iloc[start:start + size],
            sections=pieces["sections"][number],
            risks=pieces["risks"][number],
            errors=corpus.errors.iloc[0:0],
            root=corpus.root,
        )


def stage_view(corpus: Corpus) -> Corpus:
    """The corpus as the per-article stage sees it: only the columns it may depend on."""
    keep = [c for c in STAGE_ARTICLE_COLUMNS if c in corpus.articles.columns]
    return Corpus(articles=corpus.articles[keep], sections=corpus.sections, risks=corpus.risks,
                  errors=corpus.errors, root=corpus.root)


def _remembers(stage: Stage) -> bool:
    """Whether ``stage`` keeps a memo between runs (see ``run_stage``)."""
    return all(hasattr(stage, name) for name in ("memo", "learn", "known"))


def _run_chunk(stage: Stage, chunk: Corpus, styleguide: Styleguide, keep_memo: bool = False):
    """The stage's result on ``chunk``, and its memo when ``keep_memo`` (taken either way, so
    that a worker does not pile up what nobody collects)."""
    result = stage(chunk, styleguide)
    memo = stage.memo() if _remembers(stage) else None
    return result, memo if keep_memo else None


# What forked workers find in memory instead of receiving it pickled:
# (stage, chunks, guide, keep_memo).
_INHERITED: tuple | None = None


def _run_inherited(number: int):
    stage, chunks, styleguide, keep_memo = _INHERITED
    return _run_chunk(stage, chunks[number], styleguide, keep_memo)


def _pool_map(stage: Stage, chunks: list[Corpus], styleguide: Styleguide, workers: int,
              keep_memo: bool = False):
    """Results of ``stage`` on every chunk, in chunk order, from a local process pool.

    On Linux the workers are forked after the chunks exist, so they read them from memory
    they share with this process; pickling 100,000 articles' text to them cost more than
    auditing it. Elsewhere the chunks are pickled.
    """
    global _INHERITED
    workers = min(workers, len(chunks))
    if not sys.platform.startswith("linux"):
        with ProcessPoolExecutor(workers, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            yield from pool.map(_run_chunk, [stage] * len(chunks), chunks,
                                [styleguide] * len(chunks), [keep_memo] * len(chunks))
        return
    _INHERITED = (stage, chunks, styleguide, keep_memo)
    # Frozen objects are left alone by the workers' garbage collector: it would otherwise
    # write to every object this process holds (the whole corpus) and so copy its pages.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)
                                 ) as pool:
            yield from pool.map(_run_inherited, range(len(chunks)))
    finally:
        _INHERITED = None
        gc.unfreeze()


def _outcomes(stage: Stage, chunks: list[Corpus], styleguide: Styleguide, workers: int,
              client, keep_memo: bool) -> Iterator:
    """(result, memo) of every chunk in chunk order: on Dask, in a process pool, or here."""
    if client is not None and chunks:
        guide = client.scatter(styleguide, broadcast=True)
        # scattered first, so the chunks travel as data and not inside the task graph
        parts = client.scatter(chunks)
        futures = client.map(_run_chunk, [stage] * len(chunks), parts, [guide] * len(chunks),
                             [keep_memo] * len(chunks), pure=False)
        return (future.result() for future in futures)
    if chunks and hasattr(stage, "prepare"):  # before the workers fork: they inherit it
        stage.prepare(styleguide)
    if workers > 1 and len(chunks) > 1:
        return _pool_map(stage, chunks, styleguide, workers, keep_memo)
    return (_run_chunk(stage, chunk, styleguide, keep_memo) for chunk in chunks)


def run_stage(stage: Stage, corpus: Corpus, styleguide: Styleguide, *, jobs: int | None = 1,
              client=None, progress: bool | None = None, cache: str | Path | None = None,
              chunk_articles: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``stage`` to every article of ``corpus``; returns (findings, readability).

    A stage may carry state worth keeping between runs (work it need not redo): ``memo()``
    hands back, after each chunk, what it learned; ``learn(memo)`` takes such a memo in;
    ``known()`` is all it holds in this process. A cached run gives the stage the kept memo
    before the workers start, and keeps what it knows afterwards. ``prepare(styleguide)``, if
    the stage has it, runs here before local workers start (forked ones inherit its work).

    Parameters
    ----------
    jobs : int or None
        Worker processes; None means all cores, 1 runs in this process.
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster instead of local processes.
    cache : path, optional
        Folder of cached per-article results (Arrow segments), keyed by content and style-guide
        hash; only articles not in it are audited, and their results are added.
    """
    corpus = stage_view(corpus)
    cached = ResultCache(cache, styleguide) if cache is not None else None
    todo = corpus
    keep_memo = cached is not None and _remembers(stage)
    if cached is not None:
        todo = cached.lookup(corpus)
    if keep_memo:  # before the workers fork, so that they inherit it
        stage.learn(cached.memo())
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    size = chunk_articles or chunk_size(len(todo.articles), workers)
    chunks = list(split_corpus(todo, size)) if len(todo.articles) else []
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(todo.articles), unit="article", desc="auditing", file=sys.stderr,
               disable=not show or not chunks)
    results, memos = [], []
    outcomes = _outcomes(stage, chunks, styleguide, workers, client, keep_memo)
    for chunk, (result, memo) in zip(chunks, outcomes, strict=True):
        results.append(result)
        memos.append(memo)
        bar.update(len(chunk.articles))
    bar.close()
    findings = _concat([r[0] for r in results])
    readability = _concat([r[1] for r in results])
    if cached is not None:
        findings, readability = cached.merge(todo, findings, readability)
    if keep_memo:
        for memo in memos:
            stage.learn(memo)
        cached.keep_memo(stage.known())
    return findings, readability.reset_index(drop=True)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


__all__ = ["ResultCache", "chunk_size", "run_stage", "split_corpus", "stage_view"]
