"""What `serve` must be able to write before it takes a message: the database, the media and export folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.probe import probe_write


def folder_problem(name: str, folder: Path) -> str | None:
    """Why files cannot be written in this folder (created if missing), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        return f"{name} 无法写入 / {name} is not writable: {folder} ({exc.strerror or type(exc).__name__})"
    return None


async def unwritable(settings: Settings, engine: AsyncEngine) -> str | None:
    """One line naming the first thing that cannot be written, or None when everything can."""
    for name, folder in (("MEDIA_DIR", settings.media_dir), ("EXPORT_DIR", settings.export_dir)):
        if problem := folder_problem(name, folder):
            return problem
    try:
        await probe_write(engine)
    except Exception as exc:
        # a message would be taken and every turn fail: better not to start, and say why
        return f"数据库无法写入 / the database cannot be written ({type(exc).__name__})"
    return None
