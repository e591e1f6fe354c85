"""A run killed with SIGKILL: its pool workers die with it, a later run removes its leftovers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import psutil
import pytest
from report_fixtures import write_small_corpus

from conftest import REPO
from stackwise_analysis import load_corpus, report
from stackwise_analysis.lifetime import ORPHAN_AGE_SECONDS, OWNER_FILE, claim, remove_orphans
from stackwise_analysis.notebook_run import NotebookOutcome

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="SIGKILL and fork semantics of Linux")

# The driver is a real run, made slow at one point so that it can be killed there:
# "load" / "audit" - both pool workers of the loader / the audit sleep in their first chunk,
# the report's staging folder exists; "segment" - the parse cache is half-way through
# writing a segment.
DRIVER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from stackwise_analysis import corpus as loader, report, segments
    from stackwise_analysis.audits import runner

    phase, corpus, out, cache, ready = sys.argv[1:6]

    def slow_stage(chunk, styleguide):
        Path(ready, f"worker-{{os.getpid()}}").touch()
        time.sleep(120)

    def audit(loaded, guide, as_of, jobs, client=None, cache=None):
        runner.run_stage(slow_stage, loaded, guide, jobs=2, chunk_articles=1)

    write = segments.feather.write_feather

    def slow_write(table, path, **options):
        write(table, path, **options)
        Path(ready, "segment").touch()
        time.sleep(120)

    def slow_read(*args):
        Path(ready, f"worker-{{os.getpid()}}").touch()
        time.sleep(120)

    if phase == "audit":
        report._audit = audit
    elif phase == "load":
        loader.MIN_CHUNK_FILES, loader._read_many = 1, slow_read
    else:
        segments.feather.write_feather = slow_write
    report.run(corpus, out=out, cache=cache, jobs=2, quiet=True)
""")


def _dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _kill_when_ready(tmp_path, phase: str, wanted: int) -> tuple[list[int], dict]:
    corpus = write_small_corpus(tmp_path / "articles")
    paths = {"out": tmp_path / "reports", "cache": tmp_path / "cache",
             "ready": tmp_path / "ready", "corpus": corpus}
    paths["ready"].mkdir()
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER.format(repo=str(REPO)), phase, str(corpus),
         str(paths["out"]), str(paths["cache"]), str(paths["ready"])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list(paths["ready"].iterdir())) < wanted:
        assert driver.poll() is None, driver.stderr.read().decode()
        assert time.monotonic() < deadline, "the driver never got to the point of the kill"
        time.sleep(0.1)
    family = [p.pid for p in psutil.Process(driver.pid).children(recursive=True)]
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    driver.stderr.close()
    return family, paths


@pytest.mark.parametrize("phase", ["load", "audit"])
def test_a_killed_run_leaves_no_worker_and_a_later_run_removes_its_staging(
        tmp_path, monkeypatch, phase):
    family, paths = _kill_when_ready(tmp_path, phase, wanted=2)
    workers = [int(p.name.split("-")[1]) for p in paths["ready"].iterdir()]
    assert set(workers) <= set(family) and len(workers) == 2
    deadline = time.monotonic() + 10
    while not all(_dead(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in family if not _dead(pid)] == []
    [stale] = paths["out"].glob(f"{report.STAGING_PREFIX}*")
    assert (stale / OWNER_FILE).exists()

    # A later run removes the killed run's staging folder, not a living run's.
    living = paths["out"] / f"{report.STAGING_PREFIX}living"
    living.mkdir()
    claim(living)

    def no_notebooks(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        return [NotebookOutcome(name="n", title="n", ipynb="notebooks/n.ipynb", html="n.html")]

    monkeypatch.setattr(report, "_run_notebooks", no_notebooks)
    result = report.run(paths["corpus"], out=paths["out"], fail_on="never", quiet=True,
                        notebooks=["01_corpus_overview"])
    assert not stale.exists() and living.exists()
    assert not (result.run_dir / OWNER_FILE).exists()  # the owner mark is not published


def test_a_run_killed_while_writing_the_cache_leaves_a_temporary_that_the_next_one_removes(
        tmp_path):
    _, paths = _kill_when_ready(tmp_path, "segment", wanted=1)
    [stale] = paths["cache"].glob("parsed-*/.segment-*")
    reloaded = load_corpus(paths["corpus"], cache=paths["cache"])
    assert not stale.exists()
    pd.testing.assert_frame_equal(reloaded.articles, load_corpus(paths["corpus"]).articles)


def _aged(path, seconds: float) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def test_unowned_temporaries_are_removed_only_when_old(tmp_path):
    old, new = tmp_path / ".segment-old", tmp_path / ".segment-new"
    for path in (old, new):
        path.mkdir()
        (path / "files.arrow").write_bytes(b"half")
    _aged(old, ORPHAN_AGE_SECONDS + 60)
    assert remove_orphans(tmp_path, ".segment-*") == [old]
    assert new.exists()


def test_an_owner_whose_pid_was_reused_is_gone_and_another_hosts_run_is_left_alone(tmp_path):
    reused, foreign = tmp_path / ".staging-reused", tmp_path / ".staging-foreign"
    for path in (reused, foreign):
        path.mkdir()
        claim(path)
    owner = json.loads((reused / OWNER_FILE).read_text())
    (reused / OWNER_FILE).write_text(json.dumps({**owner, "started": owner["started"] - 3600}))
    (foreign / OWNER_FILE).write_text(json.dumps({**owner, "host": "elsewhere.example"}))
    assert remove_orphans(tmp_path, ".staging-*") == [reused]
    _aged(foreign, ORPHAN_AGE_SECONDS + 60)
    assert remove_orphans(tmp_path, ".staging-*") == [foreign]


FORKSERVER_DRIVER = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from stackwise_analysis.lifetime import die_with_parent

    if __name__ == "__main__":
        ready = Path(sys.argv[1])
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))
        list(pool.map(time.sleep, [0.5, 0.5]))  # both workers are up
        pool.map(time.sleep, [120, 120])
        (ready / "workers").touch()
        time.sleep(120)
""")


def test_workers_started_by_a_fork_server_die_with_the_run_too(tmp_path):
    """Their parent is the fork server, so the watchdog thread ends them, within a second."""
    script = tmp_path / "driver.py"
    script.write_text(FORKSERVER_DRIVER.format(repo=str(REPO)), encoding="utf-8")
    driver = subprocess.Popen([sys.executable, str(script), str(tmp_path)])
    deadline = time.monotonic() + 120
    while not (tmp_path / "workers").exists():
        assert driver.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    family = [p.pid for p in psutil.Process(driver.pid).children(recursive=True)]
    assert len(family) >= 3  # the fork server and two workers
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.monotonic() + 10
    while not all(_dead(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in family if not _dead(pid)] == []
