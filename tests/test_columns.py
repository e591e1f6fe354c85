"""Arrow-side helpers: look-ups, order checks, run slicing and filtering keep pandas' meaning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from stackwise_analysis.columns import is_sorted, positions, rows_where
from stackwise_analysis.segments import take_runs


def test_positions_agree_with_pandas_get_indexer():
    among = pd.Series(["b", "a", "d", "c"], dtype="string")
    values = pd.Series(["a", "x", "d", None, "a"], dtype="string")
    expected = pd.Index(among).get_indexer(values.fillna("?"))
    assert positions(values, among).tolist() == expected.tolist() == [1, -1, 2, -1, 1]


@pytest.mark.parametrize("values,expected", [
    (["a", "a", "b"], True), (["b", "a"], False), (["a", None], False), ([], True),
    (["a10", "a9"], True), (["é", "z"], False)])
def test_is_sorted_is_pandas_monotonic_for_text(values, expected):
    series = pd.Series(values, dtype="string")
    assert is_sorted(series) is expected
    if series.notna().all():
        assert series.is_monotonic_increasing is expected


def test_take_runs_equals_take_on_text_and_numbers():
    table = pa.table({"text": [f"row {i}" for i in range(10)], "n": list(range(10))})
    order = np.array([3, 4, 5, 0, 1, 8, 9, 2])
    assert take_runs(table, order).to_pydict() == table.take(order).to_pydict()
    assert take_runs(table, np.array([], dtype=int)).num_rows == 0


def test_rows_where_equals_a_boolean_index_with_dtypes_and_labels():
    frame = pd.DataFrame({"id": pd.array(["a", "b", "c", "d"], dtype="string"),
                          "n": pd.array([1, None, 3, 4], dtype="Int64"),
                          "flag": [True, False, True, False]}, index=[10, 11, 12, 13])
    mask = np.array([False, True, True, False])
    pd.testing.assert_frame_equal(rows_where(frame, mask), frame[mask])
