"""The loader's parse cache: a cached load equals a fresh one and parses only what changed."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE_ARTICLES
from stackwise_analysis import Styleguide, load_corpus, load_styleguide
from stackwise_analysis import corpus as corpus_module
from stackwise_analysis.segments import SegmentStore

FRAMES = ("articles", "sections", "risks", "errors")
CMS_EXPORTS = Path(__file__).parent / "data" / "cms"


def assert_same_corpus(a, b):
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


@pytest.fixture
def folder(tmp_path):
    if not any(SAMPLE_ARTICLES.glob("*.txt")):
        pytest.skip("sample corpus missing")
    target = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, target)
    return target


@pytest.fixture
def reads(monkeypatch):
    """The files read and parsed (``read_article``, ``read_dump_file``), in this process
    (jobs=1)."""
    seen: list[str] = []
    for name in ("read_article", "read_dump_file"):
        original = getattr(corpus_module, name)

        def counting(path, *args, original=original, **kwargs):
            seen.append(path.name)
            return original(path, *args, **kwargs)

        monkeypatch.setattr(corpus_module, name, counting)
    return seen


def test_first_cached_load_equals_plain_load(folder, tmp_path):
    assert_same_corpus(load_corpus(folder), load_corpus(folder, cache=tmp_path / "c"))


def test_rerun_parses_only_changed_files_and_equals_plain_load(folder, tmp_path, reads):
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    reads.clear()
    assert_same_corpus(load_corpus(folder), load_corpus(folder, cache=cache))
    reads.clear()

    edited = sorted(folder.glob("0*.txt"))[3]
    edited.write_text(edited.read_text(encoding="utf-8-sig").replace(
        "High Risk", "Low Risk").replace("Moderate Risk", "Low Risk"), encoding="utf-8")
    removed = sorted(folder.glob("0*.txt"))[5]
    removed.unlink()
    (folder / "050_new_article.txt").write_text(
        "Nettle Tea\n\nLow Risk\n\nA short intro about nettle tea for allergies.\n",
        encoding="utf-8")
    (folder / "051_broken.txt").write_bytes(b"\xff\xfe\x00broken")

    cached = load_corpus(folder, cache=cache)
    assert sorted(reads) == sorted([edited.name, "050_new_article.txt", "051_broken.txt"])
    reads.clear()
    plain = load_corpus(folder)
    assert_same_corpus(plain, cached)
    assert removed.stem not in set(cached.articles["article_id"])
    assert (cached.articles.set_index("article_id").loc[edited.stem, "risk_level"] == "Low")
    assert "051_broken.txt" in set(cached.errors["path"])


def test_touched_file_with_same_text_is_read_again(folder, tmp_path, reads):
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    reads.clear()
    target = sorted(folder.glob("0*.txt"))[0]
    info = target.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    load_corpus(folder, cache=cache)
    assert reads == [target.name]


def test_paths_follow_the_root_of_each_load(folder, tmp_path):
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    one = sorted(folder.glob("0*.txt"))[0]
    cached = load_corpus(one, cache=cache)
    assert cached.articles["path"].tolist() == [one.name]
    assert_same_corpus(load_corpus(one), cached)
    nested = load_corpus(folder.parent, cache=cache)
    assert_same_corpus(load_corpus(folder.parent), nested)
    assert nested.articles["path"].str.startswith("articles/").all()


@pytest.mark.parametrize("broken", ["files.arrow", "sections.arrow"])
def test_unreadable_segment_is_parsed_again(folder, tmp_path, reads, broken):
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    for path in cache.rglob(broken):
        path.write_bytes(b"not an arrow file")
    plain = load_corpus(folder)
    reads.clear()
    assert_same_corpus(plain, load_corpus(folder, cache=cache))
    assert sorted(reads) == sorted(p.name for p in folder.iterdir())


def test_segments_are_compacted(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(SegmentStore, "MAX_SEGMENTS", 3)
    cache = tmp_path / "c"
    target = sorted(folder.glob("0*.txt"))[0]
    for run in range(5):
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nOne more line, run {run}.\n")
        cached = load_corpus(folder, cache=cache)
        segments = list(cache.glob("parsed-*/segment-*"))
        assert len(segments) <= 3
    assert_same_corpus(load_corpus(folder), cached)
    assert not list(cache.glob("parsed-*/.segment-*"))  # no half-written segment left


def test_changed_heading_aliases_are_parsed_again(folder, tmp_path):
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    house = load_styleguide()
    data = copy.deepcopy(house.data)
    data["template"]["sections"][2]["aliases"].append("The Research Corner")
    guide = Styleguide(data=data, sources=house.sources)
    cached = load_corpus(folder, cache=cache, styleguide=guide)
    assert_same_corpus(load_corpus(folder, styleguide=guide), cached)
    renamed = cached.sections[cached.sections["heading"] == "The Research Corner"]
    assert renamed["section"].tolist() == ["science"]
    assert len(list(cache.glob("parsed-*"))) == 2


def test_dumps_pages_and_front_matter_cache_like_a_plain_load(tmp_path, reads):
    folder = tmp_path / "cms"
    shutil.copytree(CMS_EXPORTS, folder)
    cache = tmp_path / "c"
    assert_same_corpus(load_corpus(folder), load_corpus(folder, cache=cache))
    reads.clear()
    cached = load_corpus(folder, cache=cache)
    assert reads == []  # pages and Markdown files served from the cache
    assert_same_corpus(load_corpus(folder), cached)
    assert cached.articles["last_reviewed"].notna().sum() == 3  # export metadata survives
    dump = folder / "contentful_dump.jsonl"
    lines = dump.read_text(encoding="utf-8").splitlines()
    dump.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    assert_same_corpus(load_corpus(folder), load_corpus(folder, cache=cache))


def test_changed_export_field_names_are_parsed_again(tmp_path):
    folder = tmp_path / "cms"
    shutil.copytree(CMS_EXPORTS, folder)
    cache = tmp_path / "c"
    load_corpus(folder, cache=cache)
    guide = tmp_path / "sg.yml"
    guide.write_text("exports:\n  fields:\n    id: [slug]\n", encoding="utf-8")
    cached = load_corpus(folder, cache=cache, styleguide=guide)
    assert_same_corpus(load_corpus(folder, styleguide=guide), cached)
    assert "weighted-blankets-anxiety" in set(cached.articles["article_id"])
    assert len(list(cache.glob("parsed-*"))) == 2
