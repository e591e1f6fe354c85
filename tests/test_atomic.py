"""Files written whole or not at all (``stackwise_analysis.atomic``)."""

from __future__ import annotations

import pytest

from stackwise_analysis.atomic import replacing


def test_the_new_file_replaces_the_old_one(tmp_path):
    target = tmp_path / "findings.sarif"
    target.write_text("old")
    with replacing(target, durable=True) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # nobody sees the new file before it is whole
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.sarif"]


def test_a_failed_write_leaves_the_old_file_and_no_leftover(tmp_path):
    target = tmp_path / "findings.xlsx"
    target.write_text("last good")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "last good"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.xlsx"]
