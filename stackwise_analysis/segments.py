"""Append-only segments of Arrow tables, the storage under the parse and audit caches.

A segment is a folder of uncompressed Arrow IPC files, one per table, every row of which
carries a key (the file it was parsed from, the article it was audited as). Files are
memory-mapped, not read: reopening 100,000 articles' rows costs page faults, where decoding
Parquet cost seconds. A run appends one segment with what it computed; where two segments
hold a key, the newest wins. A segment is written under a hidden name and renamed into
place, so a crash never leaves a torn one. Each segment's last file, ``checksums.xxh3``,
holds the size and XXH3-64 hash of every table file; a segment whose files do not match it
(a disk error, a stray write) or that cannot be opened is skipped, named in a warning on the
``stackwise_analysis`` logger and removed, and its keys are computed again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import xxhash

from .columns import positions
from .lifetime import claim, release, remove_orphans

PREFIX = "segment-"
MMAP = os.environ.get("SW_MMAP", "1") == "1"
#: Written last into each segment: ``{file name: [size, xxh3-64 hex]}`` of its table files.
# Not ".json": a cache folder inside a corpus folder must not look like a CMS dump.
CHECKSUMS = "checksums.xxh3"

log = logging.getLogger("stackwise_analysis.cache")


class DamagedFile(Exception):
    """A cache file does not match the checksum written with it (or has none)."""


def _contents(path: Path) -> pa.Buffer:
    """The whole file, memory-mapped (or read, with ``SW_MMAP=0``)."""
    source = pa.memory_map(str(path)) if MMAP else pa.OSFile(str(path))
    return source.read_buffer()


def file_checksum(path: Path) -> list:
    """``[size, hash]`` of a file: XXH3-64 (``xxhash``), about 10 GB/s, so a cached run of
    100,000 articles checks its 1.2 GB in about a tenth of a second.

    >>> file_checksum(Path("x.arrow"))  # doctest: +SKIP
    [1034, '1fa2f942314cd628']
    """
    data = _contents(path)
    return [data.size, xxhash.xxh3_64_hexdigest(data)]


def read_verified(path: Path, expected) -> pa.Buffer:
    """The bytes of ``path``, once they have the ``[size, hash]`` they were written with
    (``DamagedFile`` if not). Tables are then read from these very bytes, so what was
    checked is what is used, and a memory-mapped file is faulted in once."""
    if not (isinstance(expected, list) and len(expected) == 2):
        raise DamagedFile(f"{path.name} has no checksum")
    data = _contents(path)
    if data.size != expected[0]:
        raise DamagedFile(f"{path.name} is {data.size:,} bytes, not {expected[0]:,}")
    if xxhash.xxh3_64_hexdigest(data) != expected[1]:
        raise DamagedFile(f"{path.name} does not match its checksum")
    return data


def write_checked(table: pa.Table, path: Path) -> list:
    """Write ``table`` to ``path`` as an uncompressed Arrow file; its ``file_checksum``."""
    feather.write_feather(table, path, compression="uncompressed")
    return file_checksum(path)


def read_checked(path: Path, expected) -> pa.Table:
    """The table of an Arrow file written by ``write_checked``, once its bytes match
    ``expected`` (``DamagedFile`` if not)."""
    return pa.ipc.open_file(read_verified(path, expected)).read_all()


class SegmentStore:
    """The segments under ``folder``, each holding the tables ``names``, keyed by ``key``.

    The first of ``names`` is the index table: one row per key the segment holds.

    Examples
    --------
    >>> store = SegmentStore(Path(".cache/x"), ("files", "articles"), key="_file")
    >>> store.write({"files": pd.DataFrame({"_file": ["a.txt"], "size": [1200]}),
    ...              "articles": pd.DataFrame({"_file": ["a.txt"], "title": ["Cold Plunge"]})})
    >>> store.open()
    >>> store.index()[["_file", "_segment"]].values.tolist()
    [['a.txt', 0]]
    """

    MAX_SEGMENTS = 8

    def __init__(self, folder: Path, names: Sequence[str], key: str) -> None:
        self.folder = Path(folder)
        self.names = tuple(names)
        self.key = key
        self.folder.mkdir(parents=True, exist_ok=True)
        self.segments: list[dict[str, pa.Table]] = []
        self._paths: list[Path] = []

    def open(self) -> None:
        """Memory-map every intact segment, oldest first; remove the damaged ones, and
        temporaries of runs that were killed while writing one."""
        self.segments, self._paths = [], []
        remove_orphans(self.folder, f".{PREFIX}*")
        for path in sorted(self.folder.glob(PREFIX + "*")):
            try:
                tables = self._open_checked(path)
            except (OSError, ValueError, pa.ArrowException, DamagedFile) as exc:
                log.warning("cache segment %s is damaged (%s): skipped and removed; its "
                            "entries are computed again", path, exc)
                shutil.rmtree(path, ignore_errors=True)
                continue
            self.segments.append(tables)
            self._paths.append(path)

    def _open_checked(self, path: Path) -> dict[str, pa.Table]:
        """The segment's tables, once every file matches ``CHECKSUMS``."""
        try:
            expected = json.loads((path / CHECKSUMS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DamagedFile(f"no {CHECKSUMS}") from None
        if not isinstance(expected, dict):
            raise DamagedFile(f"{CHECKSUMS} is not a mapping")
        tables = {}
        for name in self.names:
            file = path / f"{name}.arrow"
            tables[name] = read_checked(file, expected.get(file.name))
        return tables

    def index(self) -> pd.DataFrame:
        """Every segment's index table with ``_segment`` (its number), newest entry per key."""
        tables = []
        for number, segment in enumerate(self.segments):
            table = segment[self.names[0]]
            keys = table[self.key].cast(pa.large_string())  # plain text, not categories
            tables.append(table.set_column(table.schema.get_field_index(self.key), self.key, keys)
                          .append_column("_segment", pa.array([number] * len(table),
                                                              type=pa.int64())))
        if not tables:
            return pd.DataFrame({self.key: pd.Series(dtype="string"),
                                 "_segment": pd.Series(dtype="int64")})
        index = pa.concat_tables(tables).to_pandas(types_mapper={
            pa.large_string(): pd.StringDtype("pyarrow")}.get)
        return index if len(tables) == 1 else index.drop_duplicates(self.key, keep="last")

    def write(self, frames: Mapping[str, pd.DataFrame]) -> None:
        """Append one segment holding ``frames`` (every name, each with the key column)."""
        name = f"{PREFIX}{pd.Timestamp.now('UTC'):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        tmp = self.folder / f".{name}"
        tmp.mkdir()
        try:
            claim(tmp)
            sums = {}
            for table_name in self.names:
                table = pa.Table.from_pandas(frames[table_name], preserve_index=False)
                column = table.schema.get_field_index(self.key)
                table = table.set_column(column, self.key,
                                         table[self.key].cast(pa.string()).dictionary_encode())
                sums[f"{table_name}.arrow"] = write_checked(table, tmp / f"{table_name}.arrow")
            (tmp / CHECKSUMS).write_text(json.dumps(sums), encoding="utf-8")
            release(tmp)
            os.rename(tmp, self.folder / name)
            self._paths.append(self.folder / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def replace_all(self, frames: Mapping[str, pd.DataFrame]) -> None:
        """Write ``frames`` as one segment and delete every other one opened or written."""
        old = list(self._paths)
        self.write(frames)
        for path in old:
            shutil.rmtree(path, ignore_errors=True)

    @property
    def crowded(self) -> bool:
        """More segments (opened or written) than ``MAX_SEGMENTS``: time to ``replace_all``."""
        return len(self._paths) > self.MAX_SEGMENTS

    def ordered(self, name: str, fresh: pd.DataFrame | None, rank_of: pd.Series,
                segment_of: np.ndarray) -> pd.DataFrame:
        """Rows of table ``name`` for every key in ``rank_of``: from segment
        ``segment_of[rank]`` where that is not -1, else from ``fresh`` (which has the key
        column too). Rows are ordered by their key's place in ``rank_of``, one key's rows as
        they were stored; ``_rank`` (that place) replaces the key column. Text stays in the
        stored chunks (see ``take_runs``)."""
        tables, ranks = [], []
        for number, segment in enumerate(self.segments):
            if not (segment_of == number).any():
                continue
            table = segment[name]
            keys = table[self.key].combine_chunks()
            if not isinstance(keys, pa.DictionaryArray):
                keys = keys.dictionary_encode()
            key_rank = positions(keys.dictionary, rank_of)
            served = key_rank >= 0
            served[served] = segment_of[key_rank[served]] == number
            indices = keys.indices.to_numpy(zero_copy_only=False)
            tables.append(table.drop_columns([self.key]))
            ranks.append(np.where(served, key_rank, -1)[indices])
        if fresh is not None and self.key in fresh.columns:
            tables.append(pa.Table.from_pandas(fresh.drop(columns=self.key),
                                               preserve_index=False))
            ranks.append(positions(fresh[self.key], rank_of))
        rank = np.concatenate(ranks)
        keep = np.flatnonzero(rank >= 0)
        order = keep[np.argsort(rank[keep], kind="stable")]
        schema = tables[-1].schema
        joined = pa.concat_tables([t.cast(schema) for t in tables])
        return take_runs(joined, order).to_pandas().assign(_rank=rank[order])


def take_runs(table: pa.Table, order: np.ndarray) -> pa.Table:
    """``table.take(order)`` for an order made of long ascending runs (stored rows in order, a
    few fresh ones between them): the runs are sliced, which copies nothing.

    The result holds a chunk per run. pyarrow joins a text column's chunks before any
    gather from it (a sort, a pandas boolean index), copying the whole column: callers
    filter such frames with pyarrow (``columns.rows_where``) or pick columns first. Joining
    them here instead cost more than every such gather together (measured at 10^5 rows).

    >>> take_runs(pa.table({"x": [10, 11, 12, 13]}), np.array([2, 3, 0]))["x"].to_pylist()
    [12, 13, 10]
    """
    if not len(order):
        return table.slice(0, 0)
    starts = np.r_[0, np.flatnonzero(np.diff(order) != 1) + 1]
    lengths = np.diff(np.r_[starts, len(order)])
    pieces = [table.slice(int(order[s]), int(n)) for s, n in zip(starts, lengths, strict=True)]
    return pa.concat_tables(pieces)
