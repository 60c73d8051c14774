"""Execute the notebooks in ``vignettes/`` (jupytext percent scripts) and render them to HTML.

A vignette reads its settings from environment variables so the test suite can run it on a
small cohort: ``PYRADIOGEN_VIGNETTE_COHORT`` (a cohort directory; generated when unset),
``PYRADIOGEN_VIGNETTE_PATIENTS`` (demo size) and ``PYRADIOGEN_VIGNETTE_OUT`` (scratch folder).
"""

from __future__ import annotations

import os
from pathlib import Path

from .store import atomic_write

VIGNETTE_DIR = Path(__file__).resolve().parents[1] / "vignettes"


def vignette_paths(folder: str | os.PathLike | None = None) -> list[Path]:
    """The vignette sources (``vignettes/*.py``), sorted."""
    return sorted(Path(folder or VIGNETTE_DIR).glob("[0-9]*.py"))


def execute(path: str | os.PathLike, workdir: str | os.PathLike, env: dict[str, str] | None = None,
            timeout: int = 900):
    """Execute one vignette; return the executed notebook (raises on the first failing cell)."""
    import shutil
    import tempfile

    import jupytext
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    sockets = tempfile.mkdtemp(prefix="pyradiogen-kernel-")

    class LocalKernelManager(KernelManager):
        """The kernel talks over local IPC sockets in a private folder, not TCP: nothing is
        reachable from the network (and ipykernel has no eavesdropping warning to print)."""

        def __init__(self, **kw):
            kw.setdefault("transport", "ipc")
            kw.setdefault("ip", os.path.join(sockets, "kernel"))
            super().__init__(**kw)

    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       kernel_manager_class=LocalKernelManager,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def render(path: str | os.PathLike, out_dir: str | os.PathLike,
           env: dict[str, str] | None = None) -> Path:
    """Execute a vignette and write ``<out_dir>/<name>.html`` (and the .ipynb)."""
    import nbformat
    from nbconvert import HTMLExporter

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nb = execute(path, out, env)
    stem = Path(path).stem
    atomic_write(out / f"{stem}.ipynb", nbformat.writes(nb))
    body, _ = HTMLExporter(embed_images=True).from_notebook_node(nb)
    return atomic_write(out / f"{stem}.html", body)
