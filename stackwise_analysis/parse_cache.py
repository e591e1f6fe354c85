"""Parsed rows of unchanged files, kept on disk so a re-load parses only what changed.

A file counts as unchanged while its absolute path, size, modification time (ns) and inode
are what they were when it was parsed: the test ``make`` and ``rsync`` use, without reading
the file. What is kept per file is exactly the rows parsing it added to the four corpus
frames (an article with its sections and risks, or an error row), so a cached load equals a
fresh one (tests/test_parse_cache.py).

Stored in ``<cache>/parsed-<key>/`` as segments (see ``segments``), ``<key>`` hashing what
parsing depends on: package version, heading and label spellings, size limit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import positions
from .segments import SegmentStore

#: The frames kept per file, besides the ``files`` index (path and stat key).
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
    """Per-file parse results (see the module docstring).

    ``lookup`` says which files are unchanged; the caller parses the others, then ``merge``
    stores them and returns cached and fresh rows together, in the caller's file order.

    Examples
    --------
    >>> cache = ParsedCache(".cache", {"version": "0.1.0"})
    >>> stats = cache.lookup(["data/articles/001_ashwagandha_stress.txt", "data/nope.txt"])
    >>> stats["hit"].tolist(), stats["size"].tolist()[1]  # nothing cached yet; no such file
    ([False, False], -1)
    """

    def __init__(self, folder: str | Path, depends_on: dict) -> None:
        digest = hashlib.sha256(json.dumps(depends_on, sort_keys=True, default=str).encode())
        self.store = SegmentStore(Path(folder) / f"parsed-{digest.hexdigest()[:16]}",
                                  ("files", *FRAMES), key="_file")

    def lookup(self, paths: Sequence[str]) -> pd.DataFrame:
        """Stat keys of ``paths`` with ``hit`` (unchanged since cached) and ``_segment``
        (the segment that holds the file's rows, -1 for none)."""
        stats = file_keys(paths)
        self.store.open()
        index = self.store.index()
        if index.empty:
            return stats.assign(hit=False, _segment=-1)
        where = positions(stats["_file"], index["_file"])
        found = where >= 0
        same = found.copy()
        for column in FILE_KEY:
            same[found] &= (index[column].to_numpy()[where[found]]
                            == stats[column].to_numpy()[found])
        segment = np.where(same, index["_segment"].to_numpy()[np.maximum(where, 0)], -1)
        return stats.assign(hit=same, _segment=segment)

    def merge(self, stats: pd.DataFrame, fresh: dict[str, pd.DataFrame],
              dtypes: dict[str, dict]) -> dict[str, pd.DataFrame]:
        """Store ``fresh`` (rows parsed from the files in ``stats`` that were not hits, each
        with its ``_file``) and return, per frame, the cached rows of the hits and the fresh
        rows, ordered like ``stats`` and typed as ``dtypes``; ``_rank`` is each row's file's
        place in ``stats``."""
        misses = stats[~stats["hit"]]
        if len(misses):
            self.store.write({"files": misses[["_file", *FILE_KEY]], **fresh})
        rank_of = stats["_file"]
        segment_of = stats["_segment"].to_numpy()
        merged = {name: self.store.ordered(name, fresh[name], rank_of, segment_of)
                  .astype(dtypes[name]) for name in FRAMES}
        if self.store.crowded:
            files = np.asarray(rank_of, dtype=object)
            self.store.replace_all({
                "files": stats[["_file", *FILE_KEY]],
                **{name: frame.drop(columns="_rank").assign(_file=files[frame["_rank"]])
                   for name, frame in merged.items()}})
        return merged
