"""Load a folder, file or list of article exports into the four ``Corpus`` DataFrames."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm.auto import tqdm

from .constants import DUMP_READERS, READERS, RISK_DTYPE
from .dumps import Record, read_dump
from .exceptions import CorpusError, ParseError
from .lifetime import die_with_parent
from .parse import PARSER_REVISION, Article, HouseFormat, decode, parse_article, sniff_reader
from .parse_cache import ParsedCache
from .styleguide import Styleguide, as_styleguide, normalize_heading

#: Files larger than this are not parsed (an export of one article is a few kB).
DEFAULT_MAX_BYTES = 2_000_000
#: A dump (many articles in one file) may be this many times ``max_bytes``; each of its
#: records is held to ``max_bytes``.
DUMP_SIZE_FACTOR = 500
METADATA_DATE_COLUMNS = ("published", "last_reviewed")
#: Files per chunk read by one worker task, at least and at most (about four chunks per
#: worker in between): each chunk's frames cost a fixed few milliseconds to build.
MIN_CHUNK_FILES = 256
MAX_CHUNK_FILES = 4096

ARTICLE_COLUMNS = {
    "article_id": "string", "path": "string", "format": "string", "title": "string",
    "title_line": "Int64", "risk_level": RISK_DTYPE, "risk_label_raw": "string",
    "risk_label_line": "Int64", "intro": "string", "intro_line": "Int64",
    "word_count": "Int64", "section_count": "Int64", "risk_count": "Int64",
    "has_disclaimer": "bool", "disclaimer": "string", "disclaimer_line": "Int64",
    "content_sha256": "string",
}
SECTION_COLUMNS = {
    "article_id": "string", "position": "Int64", "heading": "string", "section": "string",
    "line": "Int64", "body_line": "Int64", "text": "string", "word_count": "Int64",
    "paragraph_count": "Int64",
}
RISK_COLUMNS = {"article_id": "string", "position": "Int64", "risk": "string", "line": "Int64"}
ERROR_COLUMNS = {"path": "string", "error": "string", "message": "string"}
FRAME_COLUMNS = {"articles": ARTICLE_COLUMNS, "sections": SECTION_COLUMNS,
                 "risks": RISK_COLUMNS, "errors": ERROR_COLUMNS}
#: The export's own metadata of each article (JSON text) while the frames are built and
#: cached; ``load_corpus`` turns it into columns.
EXPORT_COLUMN = "_export"
_DUMP_SUFFIXES = frozenset(s for s, reader in READERS.items() if reader in DUMP_READERS)
_WORKER_COLUMNS = {**FRAME_COLUMNS, "articles": {**ARTICLE_COLUMNS, EXPORT_COLUMN: "string"}}


@dataclass
class Corpus:
    """The article corpus as four DataFrames (see DESIGN.md, "Data contract").

    Attributes
    ----------
    articles : DataFrame
        One row per parsed article, keyed by ``article_id`` (the file stem).
    sections : DataFrame
        One row per article x section in document order; ``section`` is the canonical key
        or NA for a heading that is not a house section.
    risks : DataFrame
        One row per bullet under Health Risks.
    errors : DataFrame
        One row per discovered file that could not be read as an article.
    root : Path
        The folder ``path`` columns are relative to.

    Examples
    --------
    >>> corpus = load_corpus("data/articles")
    >>> corpus.articles["risk_level"].value_counts().index.tolist()
    ['Low', 'Moderate', 'High']
    >>> read = set(corpus.articles["path"]) | set(corpus.errors["path"])  # every file, once
    >>> read == {p.name for p in Path("data/articles").iterdir()}
    True
    """

    articles: pd.DataFrame
    sections: pd.DataFrame
    risks: pd.DataFrame
    errors: pd.DataFrame
    root: Path = field(default_factory=Path)

    def __repr__(self) -> str:
        return (f"Corpus({len(self.articles)} articles, {len(self.sections)} sections, "
                f"{len(self.risks)} risks, {len(self.errors)} errors, root={str(self.root)!r})")

    @property
    def fingerprint(self) -> str:
        """Hash of every article's content hash: equal corpora have equal fingerprints."""
        digest = hashlib.sha256()
        for sha in sorted(self.articles["content_sha256"].dropna()):
            digest.update(sha.encode())
        return digest.hexdigest()


def house_format(styleguide: Styleguide | str | Path | None = None) -> HouseFormat:
    """The heading and label spellings the parser accepts, from the style guide."""
    sg = as_styleguide(styleguide)
    fields = {meaning: tuple(names) for meaning, names in sg["exports"]["fields"].items()}
    return HouseFormat(headings=dict(sg.heading_index), labels=dict(sg.label_index),
                       normalize=normalize_heading, fields=fields)


# ------------------------------------------------------------------------------ discovery
def _discover(source: str | Path | Sequence[str | Path]) -> tuple[Path, list[str], list[dict]]:
    """Files to read (absolute paths), the root their paths are relative to, and discovery
    errors."""
    if isinstance(source, (str, os.PathLike)):
        root = Path(source)
        if not root.exists() and not root.is_symlink():
            raise FileNotFoundError(f"corpus not found: {root}")
        if root.is_file():
            return root.parent, [os.path.abspath(root)], []
        return root, *_walk(root)
    paths = [Path(p) for p in source]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"corpus file(s) not found: {', '.join(missing[:5])}"
                                + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
    if not paths:
        return Path("."), [], []
    root = Path(os.path.commonpath([p.resolve().parent for p in paths]))
    files, errors = [], []
    for p in paths:
        if p.is_dir():
            sub_files, sub_errors = _walk(p)
            files += sub_files
            errors += sub_errors
        else:
            files.append(os.path.abspath(p))
    return root, files, errors


def _walk(root: Path) -> tuple[list[str], list[dict]]:
    """All article files below ``root``, following links but never looping."""
    files: list[str] = []
    errors: list[dict] = []
    seen: set[tuple[int, int]] = set()
    # from the absolute root, so every path found is absolute without another call per file
    for dirpath, dirnames, filenames in os.walk(os.path.abspath(root), followlinks=True,
                                                onerror=lambda e: errors.append(_walk_error(e))):
        info = os.stat(dirpath)
        if (info.st_dev, info.st_ino) in seen:
            errors.append({"path": dirpath, "error": "symlink_loop",
                           "message": "this folder links back to a folder already read; skipped"})
            dirnames[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        prefix = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name[name.rfind("."):].lower() in READERS:
                files.append(prefix + name)
    return files, errors


def _is_utf8(path: str) -> bool:
    """False for a name the OS gave with bytes that are not UTF-8 (as surrogate escapes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_path(path: str) -> str:
    """``path`` with any byte that is not UTF-8 written as ``\\xNN``, so it can be shown and
    stored (``bad\\xff.txt``).

    >>> printable_path("bad\\udcff.txt")
    'bad\\\\xff.txt'
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _walk_error(exc: OSError) -> dict:
    return {"path": exc.filename or "?", "error": "unreadable",
            "message": f"cannot list this folder: {exc.strerror or exc}"}


# ------------------------------------------------------------------------------ reading
def read_article(path: Path, fmt: HouseFormat, max_bytes: int = DEFAULT_MAX_BYTES
                 ) -> tuple[Article, str, str]:
    """Read and parse one file; returns the article, the SHA-256 of its bytes and the reader
    it was parsed with (``READERS`` by extension, or "html" for an HTML page in a ``.txt``).

    Raises ``ParseError`` (with ``kind``) for anything that is not a readable article.
    """
    data = _read_bytes(path, max_bytes)
    text = decode(data)
    reader = sniff_reader(text, READERS[path.suffix.lower()])
    return parse_article(text, fmt, reader), hashlib.sha256(data).hexdigest(), reader


def read_dump_file(path: Path, fmt: HouseFormat, max_bytes: int = DEFAULT_MAX_BYTES
                   ) -> list[Record]:
    """Read a CMS dump (``.jsonl``, ``.json``): one ``Record`` per object, each an article
    or the error that kept it from being one.

    Raises ``ParseError`` for a file that cannot be read at all (missing, too large, not
    text, no records).
    """
    limit = max_bytes * DUMP_SIZE_FACTOR
    return read_dump(decode(_read_bytes(path, limit, "for one dump; split it")), fmt,
                     READERS[path.suffix.lower()], max_bytes)


def _read_bytes(path: Path, max_bytes: int, limit: str = "for one article") -> bytes:
    try:
        info = path.stat()
    except OSError as exc:
        kind = "unreadable" if path.is_symlink() else "missing"
        raise ParseError(kind, f"cannot open the file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ParseError("not_text", "not a regular file")
    if info.st_size > max_bytes:
        raise ParseError("too_large", f"{info.st_size:,} bytes, over the {max_bytes:,}-byte "
                         f"limit {limit}")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ParseError("unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ParseError("too_large", f"the file grew past the {max_bytes:,}-byte limit "
                         "while being read")
    return data


def _read_many(jobs: Sequence[tuple[str, str, str]], fmt: HouseFormat, max_bytes: int,
               keep_file: bool = False) -> dict[str, pa.Table]:
    """Read a chunk of (article_id, absolute path, relative path) into one Arrow table per
    frame (with ``_file`` if ``keep_file``).

    Runs in worker processes: Arrow tables cross the process boundary as a few buffers,
    where column lists of Python strings cost the parent seconds to unpickle and twice the
    memory to hold.
    """
    frames = _Frames()
    for article_id, path, rel in jobs:
        reader = READERS[os.path.splitext(rel)[1].lower()]
        try:
            if reader in DUMP_READERS:
                _add_records(frames, read_dump_file(Path(path), fmt, max_bytes), rel, reader,
                             path)
                continue
            article, sha, reader = read_article(Path(path), fmt, max_bytes)
        except ParseError as exc:
            frames.add_error(rel, exc.kind, str(exc), file=path)
            continue
        except Exception as exc:  # one broken file must never stop the rest
            frames.add_error(rel, "parse_failed", f"unexpected {type(exc).__name__}: {exc}",
                             file=path)
            continue
        frames.add_article(article_id, rel, reader, article, sha, file=path)
    return frames.tables(keep_file)


def _add_records(frames: _Frames, records: list[Record], rel: str, reader: str,
                 path: str) -> None:
    """A dump's records: each an article keyed by its own id, or an error row saying which
    line and record of the file it is."""
    for record in records:
        if record.article is None:
            frames.add_error(rel, record.error.kind, f"{record.where}: {record.error}",
                             file=path)
        else:
            frames.add_article(record.article_id, rel, reader, record.article, record.sha256,
                               file=path)


def _word_count(text: str) -> int:
    """Whitespace-separated words, as ``wc -w`` counts them (readability tokenises finer)."""
    return len(text.split())


class _Frames:
    """Column lists the articles are appended to, turned into typed DataFrames at the end.

    Each row also records the file it came from (``_file``), which the parse cache keys on.
    """

    def __init__(self) -> None:
        self.articles = {c: [] for c in _WORKER_COLUMNS["articles"]}
        self.sections = {c: [] for c in SECTION_COLUMNS}
        self.risks = {c: [] for c in RISK_COLUMNS}
        self.errors = {c: [] for c in ERROR_COLUMNS}
        for columns in (self.articles, self.sections, self.risks, self.errors):
            columns["_file"] = []

    def add_error(self, path: str, kind: str, message: str, file: str | None = None) -> None:
        self.errors["path"].append(path)
        self.errors["error"].append(kind)
        self.errors["message"].append(message)
        self.errors["_file"].append(file)

    def add_article(self, article_id: str, rel: str, fmt: str, a: Article, sha: str,
                    file: str | None = None) -> None:
        words = _word_count(a.intro)
        risk_position = 0
        for position, s in enumerate(a.sections, start=1):
            text = "\n".join(s.lines)
            count = _word_count(text)
            words += count
            col = self.sections
            col["article_id"].append(article_id)
            col["position"].append(position)
            col["heading"].append(s.heading)
            col["section"].append(s.key)
            col["line"].append(s.line)
            col["body_line"].append(s.body_line)
            col["text"].append(text)
            col["word_count"].append(count)
            col["paragraph_count"].append(
                sum(1 for block in text.split("\n\n") if block.strip()))
            col["_file"].append(file)
            for risk, line in s.bullets:
                risk_position += 1
                self.risks["article_id"].append(article_id)
                self.risks["position"].append(risk_position)
                self.risks["risk"].append(risk)
                self.risks["line"].append(line)
                self.risks["_file"].append(file)
        values = {
            "article_id": article_id, "path": rel, "format": fmt, "title": a.title,
            "title_line": a.title_line, "risk_level": a.risk_level,
            "risk_label_raw": a.risk_label_raw, "risk_label_line": a.risk_label_line,
            "intro": a.intro, "intro_line": a.intro_line, "word_count": words,
            "section_count": len(a.sections), "risk_count": risk_position,
            "has_disclaimer": a.disclaimer is not None, "disclaimer": a.disclaimer,
            "disclaimer_line": a.disclaimer_line, "content_sha256": sha, "_file": file,
            EXPORT_COLUMN: json.dumps(a.metadata, ensure_ascii=False) if a.metadata else None,
        }
        for column, value in values.items():
            self.articles[column].append(value)

    def frames(self, keep_file: bool = False) -> dict[str, pd.DataFrame]:
        """Typed frames; with ``keep_file`` each keeps its ``_file`` column."""
        out = {}
        for name, dtypes in _WORKER_COLUMNS.items():
            columns = getattr(self, name)
            dtypes = {**dtypes, "_file": "string"} if keep_file else dtypes
            out[name] = pd.DataFrame({c: pd.Series(columns[c], dtype=t)
                                      for c, t in dtypes.items()})
        return out

    def tables(self, keep_file: bool = False) -> dict[str, pa.Table]:
        return {name: pa.Table.from_pandas(frame, preserve_index=False)
                for name, frame in self.frames(keep_file).items()}


# Over 50 lines for its docstring (the public API's parameters); the code is about 30.
def load_corpus(
    source: str | Path | Sequence[str | Path],
    *,
    metadata: str | Path | None = None,
    styleguide: Styleguide | str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int | None = 1,
    progress: bool | None = None,
    cache: str | Path | None = None,
) -> Corpus:
    """Load article exports into a ``Corpus``.

    Every discovered file lands in exactly one of ``articles`` or ``errors``: a file that
    cannot be read as an article (empty, binary, not UTF-8, over ``max_bytes``, no title,
    a second file with the same stem, a name that is not UTF-8: ``bad_name``) becomes an
    ``errors`` row and the rest load normally. An HTML page saved as ``.txt`` or ``.md`` is
    read as HTML. A CMS dump (``.jsonl``, ``.json``) holds many articles: each of its records
    lands in exactly one of them, an ``errors`` message naming the record's line.

    Parameters
    ----------
    source : path or list of paths
        A folder (every ``*.txt``, ``*.md``, ``*.html``, ``*.jsonl``, ``*.json`` below it,
        hidden entries skipped), one file, or a list of files and folders. The reader is
        chosen by extension (see ``docs/cms-exports.md``).
    metadata : path, optional
        CSV keyed by ``article_id`` (category, author, published, last_reviewed, ...),
        merged into ``articles``; ids are compared after trimming spaces, and a row whose id
        matches no article is an ``errors`` row of kind ``metadata_unmatched``. Front matter
        and dump fields give such columns too; where both do, the CSV wins and each
        disagreement is a ``metadata`` error.
    styleguide : Styleguide or path, optional
        Supplies the heading aliases and risk-label spellings; the house defaults otherwise.
    max_bytes : int
        Files larger than this become ``too_large`` errors.
    jobs : int or None
        Worker processes for reading and parsing; None means all cores. Results are in the
        same order whatever the number.
    progress : bool or None
        Show a progress bar on stderr; None shows it only when stderr is a terminal.
    cache : path, optional
        Folder to keep parsed files in (see ``parse_cache``): a re-load parses only files
        whose size, modification time or inode changed, with the same result.

    Raises
    ------
    FileNotFoundError
        ``source`` (or a listed file) does not exist.

    Examples
    --------
    >>> corpus = load_corpus("data/articles", metadata="data/catalog.csv")
    >>> corpus.sections.query("section.isna()")[["article_id", "heading"]]
                   article_id              heading
    109  019_elderberry_colds  The Research Corner
    """
    fmt = house_format(styleguide)
    root, files, discovery_errors = _discover(source)
    found = _Frames()  # what discovery itself rejects: never cached, always first
    root_abs = os.path.abspath(root)
    for error in discovery_errors:
        found.add_error(printable_path(_relative(error["path"], root_abs)), error["error"],
                        error["message"])

    todo, has_dump = _files_to_read(files, root_abs, found)
    fresh = _read_through_cache(todo, fmt, max_bytes, jobs, progress, cache, root)
    found_errors = found.frames()["errors"]
    errors = fresh.errors if found_errors.empty else pd.concat(
        [found_errors, fresh.errors], ignore_index=True)
    corpus = Corpus(articles=fresh.articles, sections=fresh.sections, risks=fresh.risks,
                    errors=errors, root=root)
    if has_dump:  # a dump's ids are known only once read
        corpus = _drop_duplicate_ids(corpus)
    corpus = _export_metadata(corpus)
    if metadata is not None:
        corpus = _merge_metadata(corpus, Path(metadata))
    return corpus


def _files_to_read(files: list[str], root_abs: str, found: _Frames
                   ) -> tuple[list[tuple[str, str, str]], bool]:
    """(article_id, path, rel) of every discovered file to read, and whether any is a dump;
    a file name that is not UTF-8 or a second file with the same stem is an error in
    ``found`` instead."""
    seen: dict[str, str] = {}
    todo: list[tuple[str, str, str]] = []
    has_dump = False
    under_root = root_abs.rstrip(os.sep) + os.sep
    for path in files:  # absolute
        rel = (path[len(under_root):] if path.startswith(under_root) and os.sep == "/"
               else _relative(path, root_abs))
        if not _is_utf8(path):
            found.add_error(printable_path(rel), "bad_name", "the file name is not valid "
                            "UTF-8 (shown with \\x escapes); rename the file")
            continue
        name = path[path.rfind(os.sep) + 1:]
        article_id = name[:name.rfind(".")] if name.rfind(".") > 0 else name
        has_dump = has_dump or name[name.rfind("."):].lower() in _DUMP_SUFFIXES
        if article_id in seen:
            found.add_error(rel, "duplicate_id", f"article_id {article_id!r} is already used "
                            f"by {seen[article_id]}; rename one of the files")
            continue
        seen[article_id] = rel
        todo.append((article_id, path, rel))
    return todo, has_dump


def _read_through_cache(todo: list[tuple[str, str, str]], fmt: HouseFormat, max_bytes: int,
                        jobs: int | None, progress: bool | None, cache: str | Path | None,
                        root) -> Corpus:
    """Every file of ``todo`` read and parsed, those the parse cache knows taken from it."""
    parsed = None
    if cache is not None:
        parsed = ParsedCache(cache, {"version": _version(), "parser": PARSER_REVISION,
                                     "headings": fmt.headings, "labels": fmt.labels,
                                     "fields": fmt.fields, "max_bytes": max_bytes})
        stats = parsed.lookup([path for _, path, _ in todo])
        todo_read = [job for job, hit in zip(todo, stats["hit"], strict=True) if not hit]
    else:
        todo_read = todo
    fresh = Corpus(**_read_all(todo_read, fmt, max_bytes, jobs, progress,
                               keep_file=parsed is not None), root=root)
    if parsed is None:
        return fresh
    merged = parsed.merge(stats, {name: getattr(fresh, name) for name in FRAME_COLUMNS},
                          _WORKER_COLUMNS)
    # the same file may sit under another root this time: paths are relative to it
    rels = np.asarray([rel for _, _, rel in todo], dtype=object)
    for name in ("articles", "errors"):
        merged[name]["path"] = pd.array(rels[merged[name]["_rank"]], dtype="string")
    return Corpus(**{name: frame.drop(columns="_rank") for name, frame in merged.items()},
                  root=root)


def _read_all(todo: list[tuple[str, str, str]], fmt: HouseFormat, max_bytes: int,
              jobs: int | None, progress: bool | None, keep_file: bool = False
              ) -> dict[str, pd.DataFrame]:
    """Read and parse every (article_id, path, rel) of ``todo`` into the four typed frames,
    rows in ``todo`` order whatever the number of workers."""
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    size = min(MAX_CHUNK_FILES, max(MIN_CHUNK_FILES, -(-len(todo) // (4 * workers))))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(todo), unit="file", desc="reading", disable=not show or not todo,
               file=sys.stderr)
    tables: dict[str, list[pa.Table]] = {name: [] for name in FRAME_COLUMNS}

    def collect(results: Iterable[dict[str, pa.Table]]) -> None:
        for chunk in results:
            for name, table in chunk.items():
                tables[name].append(table)
            bar.update(chunk["articles"].num_rows + chunk["errors"].num_rows)

    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(min(workers, len(chunks)), initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            collect(pool.map(_read_many, chunks, [fmt] * len(chunks),
                             [max_bytes] * len(chunks), [keep_file] * len(chunks)))
    else:
        collect(_read_many(c, fmt, max_bytes, keep_file) for c in chunks)
    bar.close()
    if not chunks:
        return _Frames().frames(keep_file)
    # joined without copying: the text stays in the chunks' buffers
    dtypes = {name: {**columns, "_file": "string"} if keep_file else columns
              for name, columns in _WORKER_COLUMNS.items()}
    return {name: pa.concat_tables(parts).to_pandas().astype(dtypes[name])
            for name, parts in tables.items()}


def _version() -> str:
    from . import __version__

    return __version__


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` (both absolute), in POSIX form; a path outside the root
    (a link out of it) stays absolute."""
    if path.startswith(root) and path[len(root):len(root) + 1] == os.sep:
        return Path(path[len(root) + 1:]).as_posix() if os.sep != "/" else path[len(root) + 1:]
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _drop_duplicate_ids(corpus: Corpus) -> Corpus:
    """Articles whose id an earlier one already has (a dump's record ids are known only once
    read) become ``duplicate_id`` errors, with their sections and risks."""
    articles = corpus.articles
    again = articles["article_id"].duplicated(keep="first").to_numpy()
    if not again.any():
        return corpus
    where = articles["path"].where(~articles["format"].isin(DUMP_READERS),
                                   articles["path"] + " line " + articles["title_line"].astype(
                                       "string"))
    first = dict(zip(articles.loc[~again, "article_id"], where[~again], strict=True))
    dropped = articles.loc[again]
    in_dump = dropped["format"].isin(DUMP_READERS).to_numpy()
    problems = pd.DataFrame({
        "path": dropped["path"],
        "error": "duplicate_id",
        "message": [(f"line {line}, record {a!r}: " if dump else "")
                    + f"article_id {a!r} is already used by {first[a]}; give one of them "
                    "another id" for a, line, dump in zip(dropped["article_id"],
                                                          dropped["title_line"], in_dump,
                                                          strict=True)],
    }).astype(ERROR_COLUMNS)
    # rows follow article order, each article's together: its counts say which are its own
    keep_rows = {}
    for name, count in (("sections", "section_count"), ("risks", "risk_count")):
        owner = np.repeat(np.arange(len(articles)), articles[count].to_numpy(dtype=int))
        keep_rows[name] = getattr(corpus, name).loc[~again[owner]].reset_index(drop=True)
    return Corpus(articles=articles.loc[~again].reset_index(drop=True),
                  sections=keep_rows["sections"], risks=keep_rows["risks"],
                  errors=pd.concat([corpus.errors, problems], ignore_index=True),
                  root=corpus.root)


def _export_metadata(corpus: Corpus) -> Corpus:
    """The export's own metadata (front matter, JSON fields) as columns of ``articles``,
    typed as a catalog's would be; a date that is not one becomes a ``metadata`` error."""
    articles = corpus.articles
    raw = articles.pop(EXPORT_COLUMN) if EXPORT_COLUMN in articles.columns else None
    if raw is None or not raw.notna().any():
        return Corpus(articles=articles, sections=corpus.sections, risks=corpus.risks,
                      errors=corpus.errors, root=corpus.root)
    meta = pd.DataFrame([json.loads(x) if isinstance(x, str) else {} for x in raw],
                        index=articles.index)
    meta = meta.drop(columns=[c for c in meta.columns if c in articles.columns]).astype("string")
    problems = []
    for column in METADATA_DATE_COLUMNS:
        if column in meta.columns:
            problems += _parse_dates(meta, column, articles["path"], articles["article_id"],
                                     where=" in the export")
    errors = corpus.errors if not problems else pd.concat(
        [corpus.errors, pd.DataFrame(problems).astype(ERROR_COLUMNS)], ignore_index=True)
    return Corpus(articles=pd.concat([articles, meta], axis=1), sections=corpus.sections,
                  risks=corpus.risks, errors=errors, root=corpus.root)


def _parse_dates(meta: pd.DataFrame, column: str, paths: pd.Series, ids: pd.Series, *,
                 where: str = "") -> list[dict]:
    """Parse ``meta[column]`` as dates in place (``_dates``); a ``metadata`` error row for
    each value that is not one, naming the file, the article and the value as written."""
    values = meta[column]
    meta[column], bad = _dates(values)
    return [{"path": path, "error": "metadata",
             "message": f"{article_id}: {column} {value!r}{where} is not a date "
                        "(use YYYY-MM-DD)"}
            for path, article_id, value in zip(paths[bad], ids[bad], values[bad], strict=True)]


def _dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates (times and zones allowed, kept as the UTC day-time without a zone) and
    where a value is not one."""
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    return parsed.dt.tz_localize(None), parsed.isna() & values.notna()


def _unmatched_rows(ids: pd.Series, articles: pd.Series, path: Path) -> list[dict]:
    """A ``metadata_unmatched`` error per catalog row whose id matches no article: its
    dates and flags would otherwise be dropped without a word (a stale-content blocker
    quietly gone). Ids differing only in case are named, since ids are case-sensitive."""
    known = set(articles.dropna())
    by_lower = {a.lower(): a for a in known}
    problems = []
    for row, article_id in enumerate(ids, start=2):  # line 1 is the header
        if pd.notna(article_id) and article_id in known:
            continue
        hint = ""
        if pd.isna(article_id) or article_id == "":
            shown = "an empty article_id"
        else:
            shown = f"article_id {article_id!r}"
            if article_id.lower() in by_lower:
                hint = f" (article {by_lower[article_id.lower()]!r} differs only in case)"
        problems.append({"path": str(path), "error": "metadata_unmatched",
                         "message": f"line {row}: {shown} matches no article{hint}; fix the "
                                    "id or remove the row"})
    return problems


def _merge_metadata(corpus: Corpus, path: Path) -> Corpus:
    """Left-join the metadata CSV onto ``articles``; bad cells become ``metadata`` errors."""
    if not path.is_file():
        raise FileNotFoundError(f"metadata file not found: {path}")
    try:
        meta = pd.read_csv(path, dtype="string", encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{path}: cannot read the metadata CSV: {exc}") from None
    if "article_id" not in meta.columns:
        raise CorpusError(f"{path}: the metadata CSV has no 'article_id' column "
                          f"(columns: {', '.join(meta.columns)})")
    errors = corpus.errors
    meta["article_id"] = meta["article_id"].str.strip()  # "abc " in a spreadsheet is "abc"
    problems = _unmatched_rows(meta["article_id"], corpus.articles["article_id"], path)
    duplicated = meta["article_id"].duplicated(keep="first")
    for article_id in meta.loc[duplicated, "article_id"]:
        problems.append({"path": str(path), "error": "metadata",
                         "message": f"article_id {article_id!r} appears twice; the first row "
                                    "is used"})
    meta = meta.loc[~duplicated]
    for column in METADATA_DATE_COLUMNS:
        if column in meta.columns:
            problems += _parse_dates(meta, column, pd.Series(str(path), index=meta.index),
                                     meta["article_id"])
    clash = [c for c in meta.columns if c in ARTICLE_COLUMNS and c != "article_id"]
    meta = meta.drop(columns=clash)
    articles = corpus.articles.merge(meta, on="article_id", how="left", validate="one_to_one",
                                     suffixes=("", "_catalog"))
    for column in [c for c in meta.columns if f"{c}_catalog" in articles.columns]:
        catalog = articles.pop(f"{column}_catalog")
        problems += _disagreements(articles, column, catalog, path)
        articles[column] = catalog.where(catalog.notna(), articles[column])
    if problems:
        errors = pd.concat([errors, pd.DataFrame(problems).astype(ERROR_COLUMNS)],
                           ignore_index=True)
    return Corpus(articles=articles, sections=corpus.sections, risks=corpus.risks,
                  errors=errors, root=corpus.root)


def _disagreements(articles: pd.DataFrame, column: str, catalog: pd.Series,
                   path: Path) -> list[dict]:
    """``metadata`` errors where the catalog and the export both give ``column`` and differ
    (dates compared by day)."""
    export = articles[column]
    if column in METADATA_DATE_COLUMNS:
        differ = catalog.dt.normalize() != export.dt.normalize()
        shown = (catalog.dt.strftime("%Y-%m-%d"), export.dt.strftime("%Y-%m-%d"))
    else:
        differ = catalog != export
        shown = (catalog, export)
    differ = (differ & catalog.notna() & export.notna()).fillna(False).to_numpy(dtype=bool)
    return [{"path": str(path), "error": "metadata",
             "message": f"{article_id}: {column} is {ours!r} in the catalog but {theirs!r} in "
                        "the export; the catalog's value is used"}
            for article_id, ours, theirs in zip(articles.loc[differ, "article_id"],
                                                shown[0][differ], shown[1][differ], strict=True)]
