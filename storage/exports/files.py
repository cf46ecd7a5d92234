"""Where produced exports live: one unguessable folder per export under EXPORT_DIR, pruned when old."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# File systems allow 255 bytes per name, not characters: a Chinese character takes three in UTF-8,
# and callers add a suffix or a sheet name to what this returns.
MAX_NAME_BYTES = 150


def safe_filename(name: str, *, fallback: str = "export") -> str:
    """A file name without path separators or characters Windows refuses, short enough in bytes; keeps its suffix."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    suffix = match.group() if (match := _SUFFIX.search(cleaned)) else ""
    stem = cleaned.removesuffix(suffix) if suffix else cleaned
    while len(stem.encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return f"{stem}{suffix}" if stem else fallback


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
