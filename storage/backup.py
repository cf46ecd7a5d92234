"""A consistent copy of the database and MEDIA_DIR, with a manifest of checksums; and the way back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
PAGES_PER_STEP = 256  # SQLite copies this many pages, then lets writers in again
Advance = Callable[[int], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a backup: its path inside the backup folder, checksum and size."""

    path: str
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sqlite_path(url: str) -> Path:
    """The file a sqlite+aiosqlite URL names."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL 须指向一个文件 / DATABASE_URL must name a SQLite file")
    return Path(database)


def sqlite_copy(source: Path, target: Path, advance: Advance | None = None) -> None:
    """Copy a live SQLite database page by page through its online backup API (writers may go on meanwhile)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    done = 0

    def step(status: int, remaining: int, total: int) -> None:
        nonlocal done
        if advance is not None:
            advance(total - remaining - done)
        done = total - remaining

    try:
        with dst:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
    finally:
        dst.close()
        src.close()


def sqlite_pages(path: Path) -> int:
    """How many pages a SQLite file holds (a progress bar's total)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


def sqlite_is_empty(path: Path) -> bool:
    """Whether a SQLite file is absent or holds no table."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]) == 0


def pg_arguments(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore/psql, and the environment carrying the password (never argv)."""
    parsed: URL = make_url(url)
    args = [f"--host={parsed.host or 'localhost'}", f"--port={parsed.port or 5432}", f"--dbname={parsed.database}"]
    if parsed.username:
        args.append(f"--username={parsed.username}")
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, {str(k): str(v) for k, v in env.items()}


def pg_dump_command(url: str, target: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump call writing the custom-format archive `target`."""
    args, env = pg_arguments(url)
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", *args], env


def pg_restore_command(url: str, source: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_restore call loading `source` into the (empty) database of `url`, in one transaction."""
    args, env = pg_arguments(url)
    return [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
        str(source),
    ], env


def media_files(media_dir: Path) -> list[Path]:
    """Every stored file under MEDIA_DIR (half-written `.part` files left out), sorted."""
    if not media_dir.is_dir():
        return []
    return sorted(p for p in media_dir.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def copy_media(files: list[Path], media_dir: Path, target: Path, advance: Advance | None = None) -> Iterator[Entry]:
    """Copy each file to the same place under `target`, yielding its manifest entry."""
    for path in files:
        relative = path.relative_to(media_dir)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        yield Entry(f"{MEDIA}/{relative.as_posix()}", sha256_of(copy), copy.stat().st_size)
        if advance is not None:
            advance(1)


def write_manifest(folder: Path, data: dict[str, Any], entries: list[Entry]) -> None:
    """The manifest: what was backed up, when, from which database at which revision, every file's checksum."""
    body = {**data, "format": FORMAT, "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]}
    (folder / MANIFEST).write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def load_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, as written; BackupError if there is none this version reads."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"不是备份目录（没有 {MANIFEST}）/ not a backup folder (no {MANIFEST}): {folder}") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"清单无法读取 / the manifest cannot be read: {path} ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), list):
        raise BackupError(f"清单格式不对 / not a manifest this version reads: {path}")
    return data


def verify(folder: Path, manifest: dict[str, Any], advance: Advance | None = None) -> None:
    """Every file the manifest lists is in the folder with its checksum; BackupError at the first that is not."""
    for item in manifest["files"]:
        name = str(item.get("path", ""))
        file = (folder / name).resolve()
        if not file.is_relative_to(folder.resolve()) or not file.is_file():
            raise BackupError(f"备份缺少文件 / a file of the backup is missing: {name}")
        if sha256_of(file) != item.get("sha256"):
            raise BackupError(f"校验和不符 / checksum mismatch: {name}")
        if advance is not None:
            advance(1)


def folder_is_empty(folder: Path) -> bool:
    """Whether a folder is absent or has nothing in it."""
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def restore_media(folder: Path, entries: list[dict[str, Any]], media_dir: Path, advance: Advance | None = None) -> int:
    """Copy the backup's media files into MEDIA_DIR; how many."""
    count = 0
    for item in entries:
        name = str(item["path"])
        if not name.startswith(f"{MEDIA}/"):
            continue
        target = media_dir / name.removeprefix(f"{MEDIA}/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, target)
        count += 1
        if advance is not None:
            advance(1)
    return count


def publish_folder(staged: Path, out: Path) -> None:
    """Move a finished backup folder to `out` (absent or empty: rename replaces an empty folder) in one step."""
    os.replace(staged, out)
