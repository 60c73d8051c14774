"""Headless Chromium checks of the HTML report."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_binary() -> str:
    """Path of Debian's Chromium; a clear error when it is not installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("Chromium not found: run `sudo scripts/install-system-deps.sh`")


def page_metrics(html_path: str | Path, width: int = 1280, height: int = 800,
                 timeout: float = 90) -> dict[str, int]:
    """Load the report in headless Chromium in a ``width`` × ``height`` window; return what
    its load script measured (the ``data-*`` attributes it sets on ``<body>``, see
    ``report._LAYOUT_CHECK``): ``images-total``, ``images-rendered``, ``viewport-width``,
    ``viewport-height``, ``contents-top``/``contents-bottom`` (page pixels of the contents
    list), ``tables``, ``max-table-rows`` and ``page-overflow-x`` (pixels the page is wider
    than the window)."""
    with tempfile.TemporaryDirectory() as profile:
        res = subprocess.run(
            [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "--hide-scrollbars",
             "--virtual-time-budget=10000", "--dump-dom", Path(html_path).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    body = re.search(r"<body[^>]*>", res.stdout)
    if body is None:
        raise RuntimeError(f"Chromium returned no document for {html_path}: {res.stderr[-500:]}")
    found = {k: int(v) for k, v in re.findall(r'data-([a-z-]+)="(-?\d+)"', body.group(0))}
    if "images-total" not in found:
        raise RuntimeError(f"the report's load script did not run in Chromium: {body.group(0)}")
    return found


def rendered_images(html_path: str | Path, timeout: float = 90) -> tuple[int, int]:
    """Load the report in headless Chromium; return (figures rendered, figures total)."""
    m = page_metrics(html_path, timeout=timeout)
    return m["images-rendered"], m["images-total"]


def screenshot(html_path: str | Path, png_path: str | Path, width: int = 1280,
               height: int = 800, timeout: float = 90) -> Path:
    """Save a PNG screenshot of the report's first ``height`` pixels."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot={Path(png_path).resolve()}",
             Path(html_path).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=True,
        )
    return Path(png_path)
