"""Bad input, bad places and lost services end in one line and exit 2, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from report_fixtures import write_small_corpus

from conftest import SAMPLE_ARTICLES
from stackwise_analysis import report
from stackwise_analysis.cli import main
from stackwise_analysis.notebook_run import NotebookOutcome

BAD_NAME = os.fsdecode(b"dosing-notes \xff\xfe draft.txt")


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("stackwise-analysis: error: ")
    return err


@pytest.fixture
def corpus(tmp_path):
    return write_small_corpus(tmp_path / "articles")


@pytest.fixture
def no_notebooks(monkeypatch):
    def run(sources, staging, progress, *, jobs, parameters):
        (staging / "notebooks").mkdir()
        return [NotebookOutcome(name="n", title="n", ipynb="notebooks/n.ipynb", html="n.html")]

    monkeypatch.setattr(report, "_run_notebooks", run)


# ------------------------------------------------------------------ a file name not UTF-8
@pytest.fixture
def bad_name(corpus):
    if sys.platform == "darwin":
        pytest.skip("macOS refuses file names that are not UTF-8")
    good = next(corpus.glob("*.txt"))
    (corpus / BAD_NAME).write_bytes(good.read_bytes())
    return corpus


@pytest.mark.parametrize("command", ["corpus", "audit", "report"])
def test_a_file_name_that_is_not_utf8_is_an_error_row_and_the_rest_is_read(
        bad_name, tmp_path, capsys, no_notebooks, command):
    if command == "report":
        args = ["report", "--corpus", str(bad_name), "--out", str(tmp_path / "r"),
                "--fail-on", "never", "--notebooks", "01_corpus_overview"]
    else:
        args = [command, str(bad_name), "--fail-on", "never"] if command == "audit" else \
            [command, str(bad_name), "--json"]
    code = main([*args, "--quiet", "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 0 and "Traceback" not in captured.err
    if command == "corpus":
        payload = json.loads(captured.out)
        assert payload["articles"] == 4
        [row] = payload["errors"]  # the table of files that could not be read
        assert row["path"] == "dosing-notes \\xff\\xfe draft.txt"
        assert row["error"] == "bad_name"
    elif command == "audit":
        assert "1 file(s) not read" in captured.err
    else:
        summary = json.loads((tmp_path / "r" / "latest" / "summary.json").read_text())
        assert summary["corpus"]["files_not_read"] == 1


# ------------------------------------------------------------------ style guides
@pytest.mark.parametrize(("yaml_text", "named"), [
    ('rules:\n  readability.hard_to_read:\n    message: "grade {grade:.1f"\n',
     "rules.readability.hard_to_read.message"),
    ('rules:\n  readability.hard_to_read:\n    message: "grade {grad:.1f}"\n', "{grad}"),
    ('rules:\n  risk.understated:\n    message: "harm {term!x}"\n', "!x"),
    ("template:\n  sections: []\n", "template.sections"),
])
def test_a_broken_style_guide_is_one_line_naming_file_and_key(corpus, tmp_path, capsys,
                                                               yaml_text, named):
    guide = tmp_path / "mine.yml"
    guide.write_text(yaml_text, encoding="utf-8")
    for command in (["audit", str(corpus)], ["corpus", str(corpus)]):
        assert main([*command, "--styleguide", str(guide), "--quiet"]) == 2
        err = _one_line_error(capsys)
        assert str(guide) in err and named in err


# ------------------------------------------------------------------ --out
def test_out_that_is_a_file(corpus, tmp_path, capsys):
    target = tmp_path / "reports"
    target.write_text("not a folder", encoding="utf-8")
    assert main(["report", "--corpus", str(corpus), "--out", str(target), "--quiet"]) == 2
    assert "is a file" in _one_line_error(capsys)


def test_out_that_is_read_only(corpus, tmp_path, capsys, monkeypatch):
    # Root may write anywhere, so the read-only file system is what os.mkdir reports.
    real_mkdir = os.mkdir
    target = tmp_path / "mounted-ro" / "reports"

    def read_only(path, *args, **kwargs):
        if str(path).startswith(str(target.parent)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    assert main(["report", "--corpus", str(corpus), "--out", str(target), "--quiet"]) == 2
    err = _one_line_error(capsys)
    assert str(target) in err and "Read-only" in err


def test_out_that_runs_out_of_space(corpus, tmp_path, capsys, monkeypatch, no_notebooks):
    def full_disk(staging, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "findings.xlsx"))

    monkeypatch.setattr(report, "_write_files", full_disk)
    out = tmp_path / "r"
    assert main(["report", "--corpus", str(corpus), "--out", str(out), "--quiet",
                 "--notebooks", "01_corpus_overview"]) == 2
    err = _one_line_error(capsys)
    assert "findings.xlsx" in err and "No space left" in err and "free some space" in err
    assert [p.name for p in out.iterdir()] == []  # the half-written run is gone


# ------------------------------------------------------------------ Dask
@pytest.mark.parametrize("address", ["127.0.0.1", "tcp://127.0.0.1", "http://127.0.0.1:8786"])
def test_a_scheduler_address_without_port_or_with_http_is_named(address, corpus, capsys):
    assert main(["audit", str(corpus), "--quiet", "--scheduler", address]) == 2
    err = _one_line_error(capsys)
    assert repr(address) in err and "tcp://HOST:PORT" in err


PRELOAD = """
import os, time
from pathlib import Path
from stackwise_analysis import audits

def slow(self, chunk, styleguide):
    Path({ready!r}).touch()
    time.sleep(120)

audits._PerArticleStage.__call__ = slow
"""


@pytest.mark.slow
def test_a_scheduler_lost_mid_run_is_one_line(corpus, tmp_path):
    pytest.importorskip("distributed")
    bin_dir = Path(sys.executable).parent
    ready = tmp_path / "ready"
    preload = tmp_path / "slow_stage.py"
    preload.write_text(PRELOAD.format(ready=str(ready)), encoding="utf-8")
    address_file = tmp_path / "scheduler.json"
    started = []
    try:
        started.append(subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(address_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        started.append(subprocess.Popen(
            [str(bin_dir / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--preload", str(preload)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        run = subprocess.Popen(
            [str(bin_dir / "stackwise-analysis"), "audit", str(corpus), "--quiet",
             "--scheduler", address], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        while not ready.exists():
            assert run.poll() is None and time.monotonic() < deadline + 60
            time.sleep(0.2)
        os.kill(started[0].pid, signal.SIGKILL)
        _, err = run.communicate(timeout=120)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert run.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert address in err and "lost the Dask scheduler" in err


# ------------------------------------------------------------------ | head
def test_a_closed_pipe_ends_quietly():
    run = subprocess.Popen(
        [sys.executable, "-m", "stackwise_analysis.cli", "audit", str(SAMPLE_ARTICLES),
         "--format", "json", "--fail-on", "never", "--quiet", "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout.read(100)  # what `head -c 100` reads before it exits
    run.stdout.close()
    err = run.stderr.read().decode()
    run.wait(timeout=120)
    assert err == ""
    assert run.returncode == 141  # as a tool killed by SIGPIPE reports in a shell
