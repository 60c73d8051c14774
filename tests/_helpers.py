"""Helpers shared by several test modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def clone(src: Path, dst: Path, copy: tuple[str, ...] = ()) -> Path:
    """Symlink every top-level entry of ``src`` into ``dst``; really copy those in ``copy``."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        if entry.name.startswith("."):
            continue
        target = dst / entry.name
        if entry.name in copy:
            if entry.is_dir():
                shutil.copytree(entry, target)
            else:
                shutil.copy2(entry, target)
        else:
            os.symlink(entry, target)
    return dst
