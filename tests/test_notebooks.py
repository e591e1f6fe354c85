"""The notebook suite: stripped, parameterised, thin, and runnable with its defaults."""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from report_fixtures import sample_report

from conftest import REPO
from stackwise_analysis.notebook_run import KERNEL_NAME, KernelHome, execute

NOTEBOOK_DIR = REPO / "notebooks"
PATHS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NAMES = ["01_corpus_overview", "02_risk_distribution", "03_section_completeness",
         "04_readability", "05_compliance_review", "06_trends"]
#: The notebooks draw what the issue asks for; each call must appear in its notebook.
PLOTS = {
    "01_corpus_overview": ["plots.word_count_histogram"],
    "02_risk_distribution": ["plots.risk_label_chart", "plots.label_vs_risks_chart"],
    "03_section_completeness": ["plots.completeness_heatmap"],
    "04_readability": ["plots.grade_histogram"],
    "05_compliance_review": ["plots.findings_by_rule_chart", "plots.worst_articles_chart"],
    "06_trends": ["plots.findings_per_run_chart", "plots.run_trends_chart",
                  "plots.new_fixed_chart"],
}


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_suite_is_the_six_notebooks():
    assert [p.stem for p in PATHS] == NAMES


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_is_valid_and_stripped(path):
    nb = _read(path)
    nbformat.validate(nb)
    for cell in _code(nb):
        assert cell.outputs == []
        assert cell.execution_count is None
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_kernel_metadata_names_the_project_kernel(path):
    spec = _read(path).metadata["kernelspec"]
    assert spec["name"] == KERNEL_NAME
    assert spec["display_name"] == "Python (stackwise-analysis)"
    assert spec["language"] == "python"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_parameters_cell(path):
    first = _code(_read(path))[0]
    assert "parameters" in first.metadata.get("tags", [])
    names = {t.id for node in ast.parse(first.source).body if isinstance(node, ast.Assign)
             for t in node.targets}
    assert {"snapshot", "corpus", "styleguide"} <= names
    assert "snapshot = None" in first.source


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_logic_stays_in_the_package(path):
    for cell in _code(_read(path))[1:]:
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.startswith("%"))
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While,
                                         ast.Lambda, ast.ListComp, ast.DictComp)), \
                f"{path.stem}: move this into the package:\n{cell.source}"
        assert len(cell.source.splitlines()) <= 10


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_figure_is_explained_in_markdown(path):
    nb = _read(path)
    sources = "\n".join(c.source for c in _code(nb))
    for call in PLOTS[path.stem]:
        assert call + "(" in sources
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "plots." in cell.source:
            before = nb.cells[number - 1]
            if before.cell_type == "code":  # a table cell may sit between text and figure
                before = nb.cells[number - 2]
            assert before.cell_type == "markdown" and len(before.source) > 120
    assert any("**What to do:**" in c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.slow
def test_each_notebook_runs_with_no_parameters_at_all(tmp_path):
    """The JupyterLab path: no snapshot, the defaults load and audit ../data/articles."""
    home = KernelHome(tmp_path / ".kernels")

    def run(path):
        out = tmp_path / path.name
        return path.stem, execute(path, out, home=home, cwd=NOTEBOOK_DIR, parameters=None), out

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, PATHS))
    for name, error, out in results:
        assert error is None, f"{name}: {error}"
        executed = _read(out)
        assert not any("injected-parameters" in c.metadata.get("tags", [])
                       for c in executed.cells)
        images = [o for c in _code(executed) for o in c.outputs
                  if "image/png" in o.get("data", {})]
        assert len(images) >= len(PLOTS[name]), name
    # Every kernel is stopped once its notebook is done, not left holding its tables.
    assert len(home._managers) == len(PATHS)
    assert not any(km.has_kernel for km in home._managers)


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory)


@pytest.mark.slow
def test_a_notebook_given_a_snapshot_never_touches_the_corpus(sample, tmp_path):
    home = KernelHome(tmp_path / ".kernels")
    out = tmp_path / "out.ipynb"
    error = execute(NOTEBOOK_DIR / "03_section_completeness.ipynb", out, home=home,
                    cwd=tmp_path, parameters={
                        "snapshot": str(sample.result.run_dir / "snapshot"),
                        "corpus": str(tmp_path / "no-such-corpus"),
                        "metadata": str(tmp_path / "no-such.csv")})
    assert error is None
