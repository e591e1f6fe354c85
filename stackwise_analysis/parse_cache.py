"""Parsed rows of unchanged files, kept on disk so a re-load parses only what changed.

A file counts as unchanged while its absolute path, size, modification time (ns) and inode
are what they were when it was parsed: the test ``make`` and ``rsync`` use, without reading
the file. What is kept per file is exactly the rows parsing it added to the four corpus
frames (an article with its sections and risks, or an error row), so a cached load equals a
fresh one (tests/test_parse_cache.py).

Layout: ``<cache>/parsed-<key>/segment-<time>-<rand>/`` holding ``files``, ``articles``,
``sections``, ``risks`` and ``errors`` as uncompressed Arrow IPC files, which are memory-
mapped rather than read: re-loading 100,000 parsed articles costs a few page faults, not a
decode. ``<key>`` hashes what parsing depends on (package version, heading and label
spellings, size limit). A segment is written to a hidden folder and renamed into place, so
a crash leaves no torn segment; where two segments know a file, the newest wins.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

#: The frames a segment holds besides ``files``; each row carries the ``_file`` it came from.
FRAMES = ("articles", "sections", "risks", "errors")
FILE_KEY = ("size", "mtime_ns", "inode")


def file_keys(paths: Sequence[str]) -> pd.DataFrame:
    """``_file`` (absolute path) and its ``size``, ``mtime_ns`` and ``inode``; -1 where the
    file cannot be stat-ed (it is then never a hit, and reading it reports why)."""
    rows = []
    for path in paths:
        try:
            info = os.stat(path)
            rows.append((info.st_size, info.st_mtime_ns, info.st_ino))
        except OSError:
            rows.append((-1, -1, -1))
    stats = pd.DataFrame(rows, columns=list(FILE_KEY), dtype="int64")
    stats.insert(0, "_file", pd.array(list(paths), dtype="string"))
    return stats


class ParsedCache:
    """Per-file parse results in segments of Arrow files (see the module docstring).

    ``lookup`` says which files are unchanged; the caller parses the others and hands the
    result to ``add`` (store) and ``merge`` (cached and fresh rows, in the caller's order).

    Examples
    --------
    >>> cache = ParsedCache(".cache", {"version": "0.1.0"})  # doctest: +SKIP
    >>> stats = cache.lookup(["/data/a.txt", "/data/b.txt"])  # doctest: +SKIP
    >>> stats["hit"].tolist()  # doctest: +SKIP
    [True, False]
    """

    MAX_SEGMENTS = 8

    def __init__(self, folder: str | Path, depends_on: dict) -> None:
        digest = hashlib.sha256(json.dumps(depends_on, sort_keys=True, default=str).encode())
        self.folder = Path(folder) / f"parsed-{digest.hexdigest()[:16]}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._segments: list[Path] = []
        self._tables: dict[int, dict[str, pa.Table]] = {}

    def lookup(self, paths: Sequence[str]) -> pd.DataFrame:
        """Stat keys of ``paths`` with ``hit`` (unchanged since cached) and ``_segment``
        (which segment holds the file's rows, -1 for none)."""
        stats = file_keys(paths)
        self._segments = sorted(p for p in self.folder.glob("segment-*") if p.is_dir())
        known = []
        for number, segment in enumerate(self._segments):
            try:  # memory-mapped: opening all five costs next to nothing
                tables = {name: feather.read_table(segment / f"{name}.arrow", memory_map=True)
                          for name in ("files", *FRAMES)}
            except (OSError, pa.ArrowException):
                continue  # an unreadable segment is skipped: its files are parsed again
            self._tables[number] = tables
            known.append(tables["files"].to_pandas().astype({"_file": "string"})
                         .assign(_segment=number))
        if not known:
            return stats.assign(hit=False, _segment=-1)
        index = pd.concat(known, ignore_index=True).drop_duplicates("_file", keep="last")
        matched = stats.merge(index, on=["_file", *FILE_KEY], how="left")
        segment = matched["_segment"].fillna(-1).astype("int64").to_numpy()
        return stats.assign(hit=segment >= 0, _segment=segment)

    def add(self, stats: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> None:
        """Store ``frames`` (each row with its ``_file``), parsed from the files in ``stats``."""
        if stats.empty:
            return
        name = f"segment-{pd.Timestamp.now('UTC'):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        tmp = self.folder / f".{name}"
        tmp.mkdir()
        try:
            self._write(tmp / "files.arrow", stats[["_file", *FILE_KEY]])
            for frame_name in FRAMES:
                self._write(tmp / f"{frame_name}.arrow", frames[frame_name])
            os.rename(tmp, self.folder / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _write(path: Path, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        column = table.schema.get_field_index("_file")
        table = table.set_column(column, "_file", table["_file"].dictionary_encode())
        feather.write_feather(table, path, compression="uncompressed")

    def merge(self, stats: pd.DataFrame, fresh: dict[str, pd.DataFrame],
              dtypes: dict[str, dict]) -> dict[str, pd.DataFrame]:
        """Cached rows of the hits and the ``fresh`` rows of the rest, as one frame each,
        ordered like ``stats`` (files in the order given to ``lookup``), rows of one file in
        their original order. Each frame gets ``_rank``: its file's place in ``stats``."""
        rank_of = pd.Index(stats["_file"].astype(str))
        segment_of = stats["_segment"].to_numpy()
        out = {}
        for name in FRAMES:
            tables, ranks = [], []
            for number, tables_of_segment in self._tables.items():
                if not (segment_of == number).any():
                    continue
                table = tables_of_segment[name]
                files = table["_file"].combine_chunks()
                if not isinstance(files, pa.DictionaryArray):
                    files = files.dictionary_encode()
                file_rank = rank_of.get_indexer(files.dictionary.to_pandas())
                served = file_rank >= 0
                served[served] = segment_of[file_rank[served]] == number
                rank = np.where(served, file_rank, -1)[files.indices.to_numpy(
                    zero_copy_only=False)]
                tables.append(table.drop_columns(["_file"]))
                ranks.append(rank)
            frame = fresh[name]
            tables.append(pa.Table.from_pandas(frame.drop(columns="_file"), preserve_index=False))
            ranks.append(rank_of.get_indexer(frame["_file"].astype(str)))
            rank = np.concatenate(ranks)
            keep = np.flatnonzero(rank >= 0)
            order = keep[np.argsort(rank[keep], kind="stable")]
            joined = pa.concat_tables([t.cast(tables[-1].schema) for t in tables])
            merged = _in_order(joined, order).to_pandas()
            out[name] = merged.astype(dtypes[name]).assign(_rank=rank[order])
        return out

    def compact(self, paths: Sequence[str], stats: pd.DataFrame,
                merged: dict[str, pd.DataFrame]) -> None:
        """Once more than ``MAX_SEGMENTS`` have piled up, replace them all by one segment
        holding ``merged`` (the whole current corpus); entries of deleted files go too."""
        if len(self._segments) < self.MAX_SEGMENTS:
            return
        files = np.asarray(paths, dtype=object)
        self.add(stats, {name: frame.drop(columns="_rank").assign(_file=files[frame["_rank"]])
                         for name, frame in merged.items()})
        for segment in self._segments:
            shutil.rmtree(segment, ignore_errors=True)


def _in_order(table: pa.Table, order: np.ndarray) -> pa.Table:
    """``table.take(order)`` for an order made of long ascending runs (cached rows in file
    order, a few fresh ones between them): the runs are sliced, not gathered, and copied
    once into whole columns, several times faster than a take on large text columns."""
    if not len(order):
        return table.slice(0, 0)
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    starts = np.r_[0, breaks]
    lengths = np.diff(np.r_[starts, len(order)])
    pieces = [table.slice(int(order[s]), int(n)) for s, n in zip(starts, lengths, strict=True)]
    return pa.concat_tables(pieces).combine_chunks()
