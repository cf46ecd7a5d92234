"""Where produced exports live: one unguessable folder per export under EXPORT_DIR, pruned when old."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_filename(name: str, *, fallback: str = "export") -> str:
    """A file name without path separators or characters Windows refuses."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:120] or fallback


def new_export_dir(export_dir: Path) -> Path:
    """A fresh folder with a random name for one export's files."""
    folder = export_dir / secrets.token_hex(12)
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def prune_exports(export_dir: Path, *, older_than_seconds: float, now: float | None = None) -> int:
    """Delete export folders older than the given age; return how many went."""
    if not export_dir.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - older_than_seconds
    removed = 0
    for folder in export_dir.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
