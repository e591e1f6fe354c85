"""Save and load a Corpus plus its Audit as a folder of Parquet files with exact dtypes."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import CorpusError, UsageError

#: Bumped when the folder layout or the saved style guide's shape changes (2: one record
#: per rule); ``load`` refuses a format it does not know.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CORPUS_FRAMES = ("articles", "sections", "risks", "errors")
AUDIT_FRAMES = ("findings", "readability", "risk_summary", "scorecard")


@dataclass
class Snapshot:
    """A loaded corpus, its audit and the style guide they were judged by.

    Attributes
    ----------
    corpus : Corpus
    audit : Audit
    styleguide : Styleguide
    meta : dict
        What produced it: package version, created (UTC, ISO 8601), corpus source,
        fingerprint, as_of.

    Examples
    --------
    >>> snap = load_or_compute(None, "data/articles")
    >>> snap.audit.findings["severity"].cat.categories.tolist()
    ['info', 'warning', 'blocker']
    """

    corpus: Any
    audit: Any
    styleguide: Any
    meta: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Snapshot({self.corpus!r}, {self.audit!r})"


# ------------------------------------------------------------------------------ dtypes
def _dtype_spec(dtype) -> Any:
    """A JSON description of ``dtype`` precise enough to rebuild it."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {"kind": "category", "ordered": bool(dtype.ordered),
                "categories": [_plain(v) for v in dtype.categories]}
    if isinstance(dtype, pd.StringDtype):
        return {"kind": "string", "storage": dtype.storage,
                "na": "NA" if dtype.na_value is pd.NA else "nan"}
    return str(dtype)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _dtype_from_spec(spec: Any):
    if isinstance(spec, str):
        return pd.api.types.pandas_dtype(spec)
    if spec["kind"] == "category":
        return pd.CategoricalDtype(spec["categories"], ordered=spec["ordered"])
    na_value = pd.NA if spec["na"] == "NA" else float("nan")
    return pd.StringDtype(spec["storage"], na_value=na_value)


def _restore(frame: pd.DataFrame, specs: dict[str, Any]) -> pd.DataFrame:
    """Cast the columns whose dtype Parquet did not bring back exactly."""
    fixes = {}
    for column, spec in specs.items():
        wanted = _dtype_from_spec(spec)
        if column in frame.columns and frame[column].dtype != wanted:
            fixes[column] = wanted
        elif (isinstance(wanted, pd.StringDtype) and column in frame.columns
              and frame[column].dtype.storage != wanted.storage):
            fixes[column] = wanted
    return frame.astype(fixes) if fixes else frame


# ------------------------------------------------------------------------------ save / load
# Over 50 lines for its docstring; the code is about 30.
def save(folder: str | Path, corpus, audit, *, meta: dict | None = None) -> Path:
    """Write ``corpus`` and ``audit`` to ``folder`` (created) as Parquet plus a manifest.

    The manifest is written last, so a folder without one is an incomplete snapshot.

    Parameters
    ----------
    folder : path
        Where the files go; existing snapshot files in it are replaced.
    corpus : Corpus
    audit : Audit
    meta : dict, optional
        Extra JSON-serialisable facts to keep with the snapshot (corpus source, as_of...).

    Returns
    -------
    Path
        ``folder``.

    Examples
    --------
    >>> save("snap", corpus, result).name
    'snap'
    """
    from . import __version__

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    frames: dict[str, dict] = {}
    for owner, names, source in (("corpus", CORPUS_FRAMES, corpus), ("audit", AUDIT_FRAMES, audit)):
        for name in names:
            frame = getattr(source, name).reset_index(drop=True)
            file = f"{owner}.{name}.parquet"
            frame.to_parquet(folder / file, index=False, **PARQUET_OPTIONS)
            frames[f"{owner}.{name}"] = {
                "file": file, "rows": len(frame),
                "dtypes": {str(c): _dtype_spec(t) for c, t in frame.dtypes.items()}}
    styleguide = getattr(audit, "styleguide", None)
    manifest = {
        "format": FORMAT_VERSION,
        "package_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "root": str(corpus.root),
        "fingerprint": corpus.fingerprint,
        "styleguide": None if styleguide is None else {
            "data": styleguide.data, "sources": list(styleguide.sources)},
        "meta": meta or {},
        "frames": frames,
    }
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    return folder


def load(folder: str | Path) -> Snapshot:
    """Read a snapshot written by ``save``; dtypes (categoricals, nullable ints) as saved.

    Raises
    ------
    UsageError
        ``folder`` is not a complete snapshot, or one of an unknown format.

    Examples
    --------
    >>> snap = load(save("snap", corpus, result))
    >>> snap.corpus.articles["risk_level"].dtype
    CategoricalDtype(categories=['Low', 'Moderate', 'High'], ordered=True, ...)
    >>> snap.audit.findings.equals(result.findings)
    True
    """
    from .audits import Audit
    from .corpus import Corpus
    from .styleguide import Styleguide, load_styleguide

    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{folder} is not a snapshot (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{folder / MANIFEST} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise UsageError(f"{folder} is a snapshot of format {manifest.get('format')!r}; "
                         f"this version reads format {FORMAT_VERSION}")
    frames = _Frames(folder, manifest["frames"])
    guide = manifest.get("styleguide")
    styleguide = (Styleguide(data=guide["data"], sources=tuple(guide["sources"]))
                  if guide else load_styleguide())
    corpus = _lazy(Corpus, "corpus", CORPUS_FRAMES, frames, root=Path(manifest["root"]))
    audit = _lazy(Audit, "audit", AUDIT_FRAMES, frames, styleguide=styleguide)
    meta = {k: manifest[k] for k in ("package_version", "created", "root", "fingerprint")}
    meta.update(manifest.get("meta") or {})
    return Snapshot(corpus=corpus, audit=audit, styleguide=styleguide, meta=meta)


#: How snapshot frames are written. Row groups of 2^16 rows keep each column's dictionary
#: small (one group of 10^5 articles' section text overflowed it, and decoding the plain
#: fallback took 1.7 s) and let pyarrow decode groups in parallel; zstd at level 1 packs
#: tighter than snappy and decodes as fast. 100,000 articles' sections: 159 MB read in 2.1 s
#: before, 20 MB read in 0.1 s after.
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "row_group_size": 65536}


class _Frames:
    """A snapshot's frames, each read from its Parquet file the first time it is used: a
    notebook that shows the label chart never reads the corpus's text (at 100,000 articles
    the section bodies alone take 1 to 2 s of the 4 s a whole snapshot takes)."""

    def __init__(self, folder: Path, entries: dict) -> None:
        self.folder, self.entries, self.read = folder, entries, {}

    def __call__(self, key: str) -> pd.DataFrame:
        if key not in self.read:
            entry = self.entries[key]
            try:
                frame = pd.read_parquet(self.folder / entry["file"])
            except (OSError, ValueError) as exc:
                raise UsageError(f"{self.folder / entry['file']} cannot be read: {exc}"
                                 ) from None
            self.read[key] = _restore(frame, entry["dtypes"])
        return self.read[key]


def _lazy(cls, owner: str, names: tuple[str, ...], frames: _Frames, **values):
    """An instance of ``cls`` whose frame attributes come from ``frames`` on first use
    (and may be replaced, as on the class itself); ``values`` are its other attributes."""

    def frame(name: str) -> property:
        key = f"{owner}.{name}"
        return property(lambda self: frames(key),
                        lambda self, value: frames.read.__setitem__(key, value))

    lazy = type(cls.__name__, (cls,), {n: frame(n) for n in names})
    instance = object.__new__(lazy)
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


def compute(corpus: str | Path, styleguide: str | Path | None = None, *,
            metadata: str | Path | None = None, as_of: dt.date | None = None,
            jobs: int | None = 1) -> Snapshot:
    """Load and audit a corpus now (what a snapshot would hold), without writing anything.

    Raises
    ------
    CorpusError
        The corpus path does not exist or no article in it could be read.

    Examples
    --------
    >>> compute("data/articles", metadata="data/catalog.csv").audit
    Audit(... articles, ... findings: ... info, ... warning, ... blocker)
    """
    from . import __version__
    from .audits import audit as run_audit
    from .corpus import load_corpus
    from .styleguide import as_styleguide

    try:
        guide = as_styleguide(styleguide)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    try:
        loaded = load_corpus(corpus, metadata=metadata, styleguide=guide, jobs=jobs,
                             progress=False)
    except FileNotFoundError as exc:
        raise CorpusError(str(exc)) from None
    if loaded.articles.empty:
        raise CorpusError(f"no article could be read from {corpus} "
                          f"({len(loaded.errors)} file(s) rejected)")
    result = run_audit(loaded, guide, as_of=as_of, jobs=jobs, progress=False)
    meta = {"package_version": __version__, "root": str(loaded.root),
            "fingerprint": loaded.fingerprint, "corpus": str(corpus),
            "metadata": None if metadata is None else str(metadata),
            "as_of": None if as_of is None else str(as_of)}
    return Snapshot(corpus=loaded, audit=result, styleguide=guide, meta=meta)


def load_or_compute(snapshot: str | Path | None = None, corpus: str | Path | None = None,
                    styleguide: str | Path | None = None, *, metadata: str | Path | None = None,
                    as_of: dt.date | str | None = None) -> Snapshot:
    """The data a notebook works on: the snapshot if one is given, else a fresh audit.

    A scheduled run passes ``snapshot`` so no notebook re-reads the corpus; a person in
    JupyterLab leaves it None and the corpus at ``corpus`` is loaded and audited.

    Parameters
    ----------
    snapshot : path, optional
        A folder written by ``save``; when given, the other arguments are ignored.
    corpus : path
        Articles to load when there is no snapshot.
    styleguide, metadata : path, optional
        Passed to the loader and the audit.
    as_of : date or "YYYY-MM-DD", optional
        The day staleness is judged on; today when None.

    Examples
    --------
    >>> snap = load_or_compute(None, "../data/articles", metadata="../data/catalog.csv")
    ... # doctest: +SKIP
    """
    if snapshot is not None:
        return load(snapshot)
    if corpus is None:
        raise UsageError("give a snapshot folder or a corpus path")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    return compute(corpus, styleguide, metadata=metadata, as_of=as_of)


__all__ = ["Snapshot", "compute", "load", "load_or_compute", "save"]
