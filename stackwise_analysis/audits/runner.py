"""Run the per-article audit stage serially, in a process pool or on Dask, with a result cache.

Every row of the per-article stage depends on one article and the style guide only, so the
corpus is cut into chunks of articles, each chunk audited on its own, and the pieces joined
in chunk order: the same result whatever the number of workers, or whether it came from the
cache (tests/test_runner.py holds all of these to the plain serial run).
"""

from __future__ import annotations

import hashlib
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
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from ..corpus import Corpus
from ..styleguide import Styleguide

#: Articles per chunk, at least and at most: each chunk costs a fixed few hundred
#: milliseconds of DataFrame work, so chunks are as large as balancing the workers allows.
MIN_CHUNK_ARTICLES = 250
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

    >>> chunk_size(100_000, 2), chunk_size(45, 2)
    (5000, 250)
    """
    return min(MAX_CHUNK_ARTICLES, max(MIN_CHUNK_ARTICLES, -(-articles // (2 * workers))))


def split_corpus(corpus: Corpus, size: int = MAX_CHUNK_ARTICLES) -> Iterator[Corpus]:
    """Cut ``corpus`` into consecutive pieces of at most ``size`` articles (one pass).

    >>> [len(c.articles) for c in split_corpus(corpus, 2)]  # doctest: +SKIP
    [2, 2, 1]
    """
    articles = corpus.articles
    index = pd.Index(articles["article_id"])
    groups = {}
    for name in ("sections", "risks"):
        frame = getattr(corpus, name)
        chunk_of = index.get_indexer(frame["article_id"]) // size
        groups[name] = dict(iter(frame.groupby(chunk_of, sort=True))) if len(frame) else {}
    empty = {name: getattr(corpus, name).iloc[0:0] for name in ("sections", "risks")}
    for number, start in enumerate(range(0, len(articles), size)):
        yield Corpus(
            articles=articles.iloc[start:start + size],
            sections=groups["sections"].get(number, empty["sections"]),
            risks=groups["risks"].get(number, empty["risks"]),
            errors=corpus.errors.iloc[0:0],
            root=corpus.root,
        )


def stage_view(corpus: Corpus) -> Corpus:
    """The corpus as the per-article stage sees it: only the columns it may depend on."""
    keep = [c for c in STAGE_ARTICLE_COLUMNS if c in corpus.articles.columns]
    return Corpus(articles=corpus.articles[keep], sections=corpus.sections, risks=corpus.risks,
                  errors=corpus.errors, root=corpus.root)


def _run_chunk(stage: Stage, chunk: Corpus, styleguide: Styleguide):
    return stage(chunk, styleguide)


# What forked workers find in memory instead of receiving it pickled: (stage, chunks, guide).
_INHERITED: tuple | None = None


def _run_inherited(number: int):
    stage, chunks, styleguide = _INHERITED
    return stage(chunks[number], styleguide)


def _pool_map(stage: Stage, chunks: list[Corpus], styleguide: Styleguide, workers: int):
    """Results of ``stage`` on every chunk, in chunk order, from a local process pool.

    On Linux the workers are forked after the chunks exist, so they read them from memory
    they share with this process; pickling 100,000 articles' text to them cost more than
    auditing it. Elsewhere the chunks are pickled.
    """
    global _INHERITED
    workers = min(workers, len(chunks))
    if not sys.platform.startswith("linux"):
        with ProcessPoolExecutor(workers) as pool:
            yield from pool.map(_run_chunk, [stage] * len(chunks), chunks,
                                [styleguide] * len(chunks))
        return
    _INHERITED = (stage, chunks, styleguide)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")
                                 ) as pool:
            yield from pool.map(_run_inherited, range(len(chunks)))
    finally:
        _INHERITED = None


def run_stage(stage: Stage, corpus: Corpus, styleguide: Styleguide, *, jobs: int | None = 1,
              client=None, progress: bool | None = None, cache: str | Path | None = None,
              chunk_articles: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``stage`` to every article of ``corpus``; returns (findings, readability).

    Parameters
    ----------
    jobs : int or None
        Worker processes; None means all cores, 1 runs in this process.
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster instead of local processes.
    cache : path, optional
        Folder of cached per-article results (Parquet), keyed by content and style-guide
        hash; only articles not in it are audited, and their results are added.
    """
    corpus = stage_view(corpus)
    cached = ResultCache(cache, styleguide) if cache is not None else None
    todo = corpus
    reused: tuple[pd.DataFrame, pd.DataFrame] | None = None
    if cached is not None:
        reused, todo = cached.split(corpus)
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    size = chunk_articles or chunk_size(len(todo.articles), workers)
    chunks = list(split_corpus(todo, size)) if len(todo.articles) else []
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(todo.articles), unit="article", desc="auditing", file=sys.stderr,
               disable=not show or not chunks)
    results = []
    if client is not None and chunks:
        guide = client.scatter(styleguide, broadcast=True)
        futures = client.map(_run_chunk, [stage] * len(chunks), chunks, [guide] * len(chunks),
                             pure=False)
        for future, chunk in zip(futures, chunks, strict=True):
            results.append(future.result())
            bar.update(len(chunk.articles))
    elif workers > 1 and len(chunks) > 1:
        for chunk, result in zip(chunks, _pool_map(stage, chunks, styleguide, workers),
                                 strict=True):
            results.append(result)
            bar.update(len(chunk.articles))
    else:
        for chunk in chunks:
            results.append(stage(chunk, styleguide))
            bar.update(len(chunk.articles))
    bar.close()
    findings = _concat([r[0] for r in results])
    readability = _concat([r[1] for r in results])
    if cached is not None:
        cached.add(todo, findings, readability)
        findings = _concat([reused[0], findings])
        readability = _concat([reused[1], readability])
        order = pd.Index(corpus.articles["article_id"])
        readability = readability.iloc[np.argsort(
            order.get_indexer(readability["article_id"]), kind="stable")]
    return findings, readability.reset_index(drop=True)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


class ResultCache:
    """Per-article results in Parquet, keyed by article id, content hash and style guide.

    A run reads every segment, reuses the rows of articles whose key it knows and writes
    one new segment for the rest; segments are compacted into one when they pile up.
    Writes go to a temporary name first, then are renamed, so a crash leaves no torn file.
    """

    MAX_SEGMENTS = 8

    def __init__(self, folder: str | Path, styleguide: Styleguide) -> None:
        from .. import __version__

        salt = f"{styleguide.sha256}:{__version__}"
        self.folder = Path(folder) / hashlib.sha256(salt.encode()).hexdigest()[:16]
        self.folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def keys(articles: pd.DataFrame) -> pa.Array:
        """One key per article: its id and content hash (the style guide is in the folder)."""
        ids = pa.array(articles["article_id"].to_numpy(dtype=object, na_value=""),
                       type=pa.string())
        shas = pa.array(articles["content_sha256"].to_numpy(dtype=object, na_value=""),
                        type=pa.string())
        return pc.binary_join_element_wise(ids, shas, ":")

    def _segments(self) -> list[Path]:
        return sorted(self.folder.glob("segment-*.findings.parquet"))

    def _read(self, wanted: pa.Array | None) -> tuple[list[pa.Table], list[pa.Table], pa.Array]:
        """Rows of the ``wanted`` keys (None: all), each key from the newest segment holding
        it, and the keys found."""
        findings, readability = [], []
        found = pa.array([], type=pa.string())
        for path in reversed(self._segments()):
            other = path.with_name(path.name.replace(".findings.", ".readability."))
            try:
                table = pq.read_table(other)
                found_here = pc.unique(table["_key"].combine_chunks())
                new = pc.invert(pc.is_in(found_here, value_set=found))
                if wanted is not None:
                    new = pc.and_(new, pc.is_in(found_here, value_set=wanted))
                served = pc.filter(found_here, new)
                if not len(served):
                    continue
                readability.append(table.filter(pc.is_in(table["_key"], value_set=served)))
                table = pq.read_table(path)
                findings.append(table.filter(pc.is_in(table["_key"], value_set=served)))
            except (OSError, ValueError, pa.ArrowException):
                continue  # a segment that cannot be read is simply recomputed
            found = pa.concat_arrays([found, served.cast(pa.string())])
        return findings, readability, found

    def split(self, corpus: Corpus) -> tuple[tuple[pd.DataFrame, pd.DataFrame], Corpus]:
        """Cached results for the articles the cache knows, and a corpus of the rest."""
        keys = self.keys(corpus.articles)
        findings, readability, found = self._read(keys)
        hit = pc.is_in(keys, value_set=found).to_numpy(zero_copy_only=False)

        def frame(tables: list[pa.Table]) -> pd.DataFrame:
            if not tables:
                return pd.DataFrame()
            return pa.concat_tables(tables).drop_columns(["_key"]).to_pandas()

        todo_ids = corpus.articles.loc[~hit, "article_id"]
        rest = Corpus(
            articles=corpus.articles[~hit],
            sections=corpus.sections[corpus.sections["article_id"].isin(todo_ids)],
            risks=corpus.risks[corpus.risks["article_id"].isin(todo_ids)],
            errors=corpus.errors, root=corpus.root)
        self.hits = int(hit.sum())
        return (frame(findings), frame(readability)), rest

    def add(self, corpus: Corpus, findings: pd.DataFrame, readability: pd.DataFrame) -> None:
        """Store the results of the articles in ``corpus``."""
        if corpus.articles.empty:
            return
        key_of = pd.Series(self.keys(corpus.articles).to_numpy(zero_copy_only=False),
                           index=corpus.articles["article_id"].to_numpy())
        findings = findings.assign(_key=findings["article_id"].map(key_of).astype("string"))
        readability = readability.assign(
            _key=readability["article_id"].map(key_of).astype("string"))
        self._write(findings, readability)
        if len(self._segments()) > self.MAX_SEGMENTS:
            self._compact()

    def _write(self, findings: pd.DataFrame, readability: pd.DataFrame) -> list[Path]:
        name = f"segment-{pd.Timestamp.now('UTC'):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        written = []
        # readability first: a segment counts only once its findings file exists
        for kind, frame in (("readability", readability), ("findings", findings)):
            final = self.folder / f"{name}.{kind}.parquet"
            tmp = final.with_suffix(".tmp")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, final)
            written.append(final)
        return written

    def _compact(self) -> None:
        old = self._segments()
        findings, readability, _ = self._read(None)
        self._write(pa.concat_tables(findings).to_pandas(),
                    pa.concat_tables(readability).to_pandas())
        for path in old:
            for p in (path, path.with_name(path.name.replace(".findings.", ".readability."))):
                p.unlink(missing_ok=True)
