"""Stored copies of what users send: content-addressed files under MEDIA_DIR."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where a received file now lives, and what it is."""

    path: Path
    sha256: str
    size: int
    media_type: str


def store_bytes(media_dir: Path, data: bytes, *, filename: str = "", media_type: str = "") -> StoredFile:
    """Write `data` under its checksum (same content, same file) and return where it is."""
    digest = hashlib.sha256(data).hexdigest()
    kind = media_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    suffix = Path(filename).suffix.lower() or (mimetypes.guess_extension(kind) or ".bin")
    target = media_dir / digest[:2] / f"{digest}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves a half file under the real name
    return StoredFile(path=target, sha256=digest, size=len(data), media_type=kind)


def remove_unused(media_dir: Path, keep: set[str], *, older_than: datetime) -> int:
    """Delete files under media_dir whose name is not in `keep` and not touched since `older_than`; how many.

    Names, not paths, are compared (a file is named by its content's digest), so a media folder restored elsewhere
    keeps every attached file. Left-over `.part` files of a crashed write go the same way.
    """
    if not media_dir.is_dir():
        return 0
    cutoff, removed = older_than.timestamp(), 0
    for path in media_dir.glob("*/*"):
        try:
            if path.is_file() and path.name not in keep and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process tidied it first
            continue
    return removed
