"""Files that appear whole or not at all: written under a temporary name beside the target,
then moved over it in one step, so a reader (or a crash) never meets half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path, *, durable: bool = False) -> Iterator[Path]:
    """A fresh temporary path beside ``path``; when the block ends it replaces ``path``, or,
    if the block raised, it is removed and ``path`` is left as it was. With ``durable`` the
    file is flushed to disk before the move (for a file a person edits, such as waivers).

    >>> with replacing("summary.json") as tmp:  # doctest: +SKIP
    ...     tmp.write_text("{}")
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                    dir=path.parent if str(path.parent) else ".")
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with tmp.open("rb+") as written:
                os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


__all__ = ["replacing"]
