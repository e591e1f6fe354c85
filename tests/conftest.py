"""Shared fixtures: paths to the repo's sample data and the shared reference article."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE_DIR = SHARED / "reference"
SAMPLE_ARTICLES = REPO / "data" / "articles"
SAMPLE_CATALOG = REPO / "data" / "catalog.csv"


@pytest.fixture
def reference_article() -> Path:
    """The one real Stackwise article; skips where ../shared is absent (a fresh clone)."""
    files = sorted(REFERENCE_DIR.glob("*.txt")) if REFERENCE_DIR.is_dir() else []
    if not files:
        pytest.skip("../shared/reference is not beside this checkout")
    return files[0]


@pytest.fixture
def write(tmp_path):
    """Write text or bytes to a file under tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return _write
