"""Execute a notebook with papermill on this interpreter's kernel and export it to HTML.

The kernel needs no registration: ``KernelHome`` writes a kernelspec named
``stackwise-analysis`` whose argv starts the interpreter running this code, into a folder
the caller owns, and every kernel is started through a ``KernelSpecManager`` that looks only
there. Connection files and the IPython profile live in that folder too, so a run writes
nothing to the user's home or to the environment's shared Jupyter paths.
"""

from __future__ import annotations

import asyncio
import json
import os
import site
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .atomic import replacing

#: Kernelspec name the notebooks' metadata asks for.
KERNEL_NAME = "stackwise-analysis"
KERNEL_DISPLAY_NAME = "Python (stackwise-analysis)"
#: nbconvert template that leaves out every CDN script (see templates/stackwise_report).
TEMPLATE_NAME = "stackwise_report"
TEMPLATES = Path(__file__).parent / "templates"
#: A cell that runs longer than this is stopped and the notebook counts as failed.
CELL_TIMEOUT = 1800
START_TIMEOUT = 120


@dataclass
class NotebookOutcome:
    """What happened to one notebook of a run (paths relative to the run folder)."""

    name: str
    ipynb: str
    title: str = ""
    html: str | None = None
    error: str | None = None
    execute_seconds: float = 0.0
    export_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class KernelHome:
    """A private kernelspec folder for the running interpreter, plus kernel scratch space.

    Examples
    --------
    >>> home = KernelHome(Path(".kernels"))
    >>> home.kernel_manager().kernel_name  # a manager; its kernel is not started yet
    'stackwise-analysis'
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        self.kernels = self.folder / "kernels"
        self.runtime = self.folder / "runtime"
        spec_dir = self.kernels / KERNEL_NAME
        spec_dir.mkdir(parents=True, exist_ok=True)
        self.runtime.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                     # kernel start-up chatter would land on the report's stderr
                     "--IPKernelApp.log_level=ERROR",
                     # a scheduled run keeps no input history
                     "--HistoryManager.enabled=False"],
            "display_name": KERNEL_DISPLAY_NAME,
            "language": "python",
            "env": self._env(),
            "metadata": {"debugger": False},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        self._lock = threading.Lock()
        self._managers: list = []

    def _env(self) -> dict[str, str]:
        env = {"IPYTHONDIR": str(self.folder / "ipython")}
        if "MPLCONFIGDIR" not in os.environ:
            env["MPLCONFIGDIR"] = str(self._matplotlib_dir())
        package_parent = str(Path(__file__).resolve().parents[1])
        installed = {str(Path(p).resolve()) for p in site.getsitepackages()}
        if package_parent not in installed:
            # a source checkout that is not installed: let the kernel import this very copy
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
        return env

    def _matplotlib_dir(self) -> Path:
        """Matplotlib's font cache inside the environment (kept warm between runs), or in
        this run's scratch folder when the environment is read-only; never in $HOME."""
        shared = Path(sys.prefix) / "var" / "cache" / "stackwise-analysis" / "matplotlib"
        try:
            shared.mkdir(parents=True, exist_ok=True)
            if os.access(shared, os.W_OK):
                return shared
        except OSError:
            pass
        return self.folder / "matplotlib"

    def kernel_manager(self):
        """A kernel manager for a new kernel of this interpreter (not started yet)."""
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        specs = KernelSpecManager(kernel_dirs=[str(self.kernels)], ensure_native_kernel=False)
        connection = self.runtime / f"kernel-{uuid.uuid4().hex[:12]}.json"
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs,
                                connection_file=str(connection))
        with self._lock:
            self._managers.append(km)
        return km

    def kill_all(self) -> None:
        """Stop every kernel this home started that is still running (on Ctrl-C)."""
        with self._lock:
            managers = list(self._managers)
        for km in managers:
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()


def execute(source: Path, output: Path, *, home: KernelHome, cwd: Path,
            parameters: dict | None = None) -> str | None:
    """Run ``source`` with papermill into ``output``; the error text, or None on success.

    The executed notebook is written even when a cell fails (with the traceback in that
    cell's output), so it can still be exported and read.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    km = home.kernel_manager()
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters=parameters or {}, kernel_name=KERNEL_NAME,
            km=km, progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            start_timeout=START_TIMEOUT, execution_timeout=CELL_TIMEOUT,
            resources={"metadata": {"path": str(cwd)}})
    except PapermillExecutionError as exc:
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    except Exception as exc:  # a kernel that would not start, a timeout, a bad notebook
        if not output.exists():
            _copy_unexecuted(source, output)
        return f"{type(exc).__name__}: {exc}"
    finally:
        _shutdown(km)
    return None


def _shutdown(km) -> None:
    """Stop the notebook's kernel now. papermill leaves a kernel it was handed running, and
    on a large corpus each idle kernel holds its notebook's tables (gigabytes)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    try:
        asyncio.run(km.shutdown_kernel(now=True))
    except Exception:  # never started, already gone, or no event loop to be had
        pass
    if process is not None and process.poll() is None:
        process.kill()


def _copy_unexecuted(source: Path, output: Path) -> None:
    """Keep the notebook in the run even when it never ran, so the index can link it."""
    try:
        output.write_bytes(source.read_bytes())
    except OSError:
        pass


def export_html(notebook: Path, target: Path, *, title: str, index_href: str | None = None
                ) -> Path:
    """Export an executed notebook to one self-contained HTML file, code hidden.

    Outputs only (inputs, prompts and stderr left out), images inline, and the
    ``stackwise_report`` template, which loads nothing from a network.

    Examples
    --------
    >>> export_html(Path("run/notebooks/01_corpus_overview.ipynb"),
    ...             Path("run/01_corpus_overview.html"), title="Corpus overview")
    ... # doctest: +SKIP
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            # library warnings are for whoever maintains the notebook (they stay in the
            # executed .ipynb), not for the reviewer reading the page; errors are kept
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
    basedirs = _template_dirs()
    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=basedirs,
                            extra_template_paths=basedirs[1:], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    resources = {"metadata": {"name": title}}
    if index_href:
        resources["stackwise_index"] = index_href
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    with replacing(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return target


def _template_dirs() -> list[str]:
    """Our template, plus nbconvert's own templates found beside its package.

    nbconvert looks for its "lab" template in the Jupyter data paths of ``sys.prefix``; an
    environment assembled unusually (``pip --target``, a zipapp, dependencies on another
    prefix) may leave them off that list, so the install prefix of nbconvert is added too.
    """
    import nbconvert

    dirs = [str(TEMPLATES)]
    package = Path(nbconvert.__file__).resolve().parent
    for up in (3, 4):  # <prefix>/lib/pythonX.Y/site-packages/nbconvert, or lib64/...
        candidate = package.parents[up] / "share" / "jupyter" / "nbconvert" / "templates"
        if (candidate / "lab").is_dir():
            dirs.append(str(candidate))
            break
    return dirs


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a notebook, else its file name."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return path.stem
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def run_one(source: Path, run_dir: Path, *, home: KernelHome, parameters: dict,
            on_done=None) -> NotebookOutcome:
    """Execute then export one notebook into ``run_dir`` (``notebooks/NAME.ipynb`` and
    ``NAME.html``)."""
    name = source.stem
    executed = run_dir / "notebooks" / f"{name}.ipynb"
    outcome = NotebookOutcome(name=name, ipynb=f"notebooks/{name}.ipynb",
                              title=notebook_title(source))
    started = time.perf_counter()
    outcome.error = execute(source, executed, home=home, cwd=executed.parent,
                            parameters=parameters)
    outcome.execute_seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        export_html(executed, run_dir / f"{name}.html", title=outcome.title,
                    index_href="index.html")
        outcome.html = f"{name}.html"
    except Exception as exc:
        note = f"HTML export failed: {type(exc).__name__}: {exc}"
        outcome.error = f"{outcome.error}; {note}" if outcome.error else note
    outcome.export_seconds = time.perf_counter() - started
    if on_done is not None:
        on_done(outcome)
    return outcome


__all__ = ["KERNEL_NAME", "KernelHome", "NotebookOutcome", "execute", "export_html",
           "notebook_title", "run_one"]
