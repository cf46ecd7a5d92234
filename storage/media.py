"""Stored copies of what users send: content-addressed files under MEDIA_DIR."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
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
