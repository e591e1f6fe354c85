"""Column helpers that stay in Arrow where pandas would copy strings into Python objects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _text(values) -> pa.Array | pa.ChunkedArray:
    """Arrow text of a Series, Index, array or list (a copy only where it is not Arrow)."""
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    return array.cast(pa.large_string())


def positions(values, among) -> np.ndarray:
    """Where each of ``values`` first occurs in ``among``, -1 where it does not (or is NA).

    ``Index(among).get_indexer(values)`` for text, hashed by pyarrow: pandas would first copy
    both columns into Python strings, which costs more than the look-up at 10^5 rows.

    >>> positions(["b", "z", "a", None], ["a", "b"]).tolist()
    [1, -1, 0, -1]
    """
    value_set = _text(among)
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    found = pc.index_in(_text(values), value_set=value_set, skip_nulls=True)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def is_sorted(values) -> bool:
    """Text present in every row and in ascending order (equal values together).

    >>> is_sorted(["a", "a", "b"]), is_sorted(["b", "a"]), is_sorted(["a", None])
    (True, False, False)
    """
    text = _text(values)
    if text.null_count:
        return False
    if len(text) < 2:
        return True
    return bool(pc.all(pc.greater_equal(text[1:], text[:-1])).as_py())


def rows_where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """``frame[mask]``, filtered by pyarrow chunk by chunk.

    A cached corpus holds its text in many chunks (cached rows are never copied); pandas
    would join every chunk of a text column before picking a few rows from it.

    >>> rows_where(pd.DataFrame({"x": range(6)}), [1, 1, 0, 0, 1, 0])["x"].tolist()
    [0, 1, 4]
    """
    flags = np.asarray(mask, dtype=bool)
    picked = pa.Table.from_pandas(frame, preserve_index=False).filter(pa.array(flags))
    return picked.to_pandas().astype(frame.dtypes.to_dict()).set_axis(frame.index[flags])


def python_values(column: pd.Series) -> list:
    """A column's values as Python objects, None for NA (what JSON and cell writers take).

    >>> python_values(pd.Series([1, None], dtype="Int64"))
    [1, None]
    """
    return column.astype(object).where(column.notna(), None).tolist()
