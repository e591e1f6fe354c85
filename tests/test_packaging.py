"""Packaging hygiene: environment.yml in step with pyproject.toml, the public API, the CLI."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import yaml

import stackwise_analysis
from conftest import REPO
from stackwise_analysis.cli import build_parser, main


def _requirements() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        deps += extra
    return {d.replace(" ", "").lower() for d in deps}


def test_environment_yml_lists_the_same_requirements_as_pyproject():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {d.replace(" ", "").lower() for d in pip if not d.startswith("-e")}
    assert listed == _requirements()
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == "python" + requires


def test_public_api_is_exactly_this():
    assert sorted(stackwise_analysis.__all__) == sorted([
        "Audit", "Corpus", "Styleguide", "__version__", "audit", "load_corpus",
        "load_styleguide",
    ])
    for name in stackwise_analysis.__all__:
        assert hasattr(stackwise_analysis, name)


def test_cli_help_lists_every_command_and_exit_codes():
    text = build_parser().format_help()
    for word in ("corpus", "audit", "report", "exit codes"):
        assert word in text


def test_cli_missing_path_exits_2_with_one_line(tmp_path, capsys):
    assert main(["corpus", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing" in err[0]


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "stackwise_analysis.cli", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("stackwise-analysis ")
