"""`studio-bot backup --out DIR` and `studio-bot restore DIR`: the database and MEDIA_DIR, with checksums."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.common import JsonOption, app, database_problem, emit, fail, run
from bot.cli.progress import Display, progress
from bot.settings import Settings, load_settings
from storage import backup as store
from storage.database import create_engine, is_sqlite, session_factory
from storage.health import current_revision
from storage.migrate import head_revision

DIST = "studio-ledger-bot"


def _version() -> str:
    try:
        return metadata.version(DIST)
    except metadata.PackageNotFoundError:
        return "unknown"


async def _revision_and_tables(url: str) -> tuple[str | None, list[str]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            revision = await current_revision(session=session)
            conn = await session.connection()
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return revision, tables


def _tool(name: str, command: list[str], env: dict[str, str], *, as_json: bool) -> None:
    """Run pg_dump/pg_restore; a missing tool prints the exact call to make by hand, a failure its first line."""
    if shutil.which(name) is None:
        shown = " ".join(shlex.quote(part) for part in command)
        secret = "PGPASSWORD=… " if env else ""
        fail(f"{name} 不在 PATH 上 / {name} is not on PATH; run it by hand: {secret}{shown}", as_json=as_json)
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]
        fail(f"{name} 失败 / {name} failed: {first}", as_json=as_json)


def _tables(url: str, *, as_json: bool) -> tuple[str | None, list[str]]:
    try:
        return run(_revision_and_tables(url))
    except (SQLAlchemyError, OSError) as exc:
        fail(database_problem(exc), as_json=as_json)


@app.command()
def backup(
    out: Annotated[Path, typer.Option("--out", help="备份目录（新的或空的）/ backup folder (new or empty)")],
    as_json: bool = JsonOption,
) -> None:
    """A consistent copy of the database (SQLite online backup, or pg_dump) and MEDIA_DIR, with a manifest."""
    settings = load_settings()
    if out.exists() and not store.folder_is_empty(out):
        fail(f"备份目录须为新的或空的 / the backup folder must be new or empty: {out}", as_json=as_json)
    sqlite = is_sqlite(settings.database_url)
    if not sqlite and shutil.which("pg_dump") is None:
        command, env = store.pg_dump_command(settings.database_url, out / store.PG_FILE)
        _tool("pg_dump", command, env, as_json=as_json)
    revision, tables = _tables(settings.database_url, as_json=as_json)
    if not tables:
        fail("数据库是空的，没有可备份的内容 / the database is empty: nothing to back up", as_json=as_json)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".studio-bot-backup-", dir=out.parent))
    except OSError as exc:
        fail(f"无法写入 / cannot write in {out.parent}: {exc.strerror or exc}", as_json=as_json)
    try:
        with progress(as_json=as_json) as display:
            entries = _copy(settings, staging, display, as_json=as_json)
            store.write_manifest(
                staging,
                {
                    "version": _version(),
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "database": "sqlite" if sqlite else "postgresql",
                    "revision": revision,
                },
                entries,
            )
        store.publish_folder(staging, out)
    except OSError as exc:
        fail(f"无法写入备份 / cannot write the backup: {exc.strerror or exc}", as_json=as_json)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    media = sum(1 for e in entries if e.path.startswith(f"{store.MEDIA}/"))
    kind = "sqlite" if sqlite else "postgresql"
    result = {"out": str(out), "database": kind, "revision": revision, "media_files": media}
    emit(result, f"已备份 / backed up: {out} (数据库 / database + {media} 个媒体文件 / media files)", as_json=as_json)


def _copy(settings: Settings, staging: Path, display: Display, *, as_json: bool) -> list[store.Entry]:
    if is_sqlite(settings.database_url):
        source = store.sqlite_path(settings.database_url)
        bar = display.bar("数据库 / database", store.sqlite_pages(source))
        store.sqlite_copy(source, staging / store.SQLITE_FILE, bar.advance)
        name = store.SQLITE_FILE
    else:
        bar = display.bar("pg_dump")
        command, env = store.pg_dump_command(settings.database_url, staging / store.PG_FILE)
        _tool("pg_dump", command, env, as_json=as_json)
        name = store.PG_FILE
    dump = staging / name
    entries = [store.Entry(name, store.sha256_of(dump), dump.stat().st_size)]
    files = store.media_files(settings.media_dir)
    bar = display.bar("媒体文件 / media", len(files))
    entries += store.copy_media(files, settings.media_dir, staging / store.MEDIA, bar.advance)
    return entries


@app.command()
def restore(
    folder: Annotated[Path, typer.Argument(help="studio-bot backup 写出的目录 / a folder written by backup")],
    as_json: bool = JsonOption,
) -> None:
    """Load a backup into an empty database and an empty MEDIA_DIR, after checking every checksum."""
    settings = load_settings()
    sqlite = is_sqlite(settings.database_url)
    with progress(as_json=as_json) as display:
        try:
            manifest = store.load_manifest(folder)
            store.verify(folder, manifest, display.bar("校验 / checking", len(manifest["files"])).advance)
        except store.BackupError as exc:
            fail(str(exc), as_json=as_json)
        kind = "sqlite" if sqlite else "postgresql"
        if manifest.get("database") != kind:
            source = manifest.get("database")
            fail(
                f"备份来自 {source}，目标是 {kind} / the backup is of {source}, DATABASE_URL is {kind}", as_json=as_json
            )
        _refuse_non_empty(settings, as_json=as_json)
        try:
            restored = _load(settings, folder, manifest, display, as_json=as_json)
        except (OSError, sqlite3.Error) as exc:
            fail(f"恢复失败 / restore failed: {exc}", as_json=as_json)
    revision = manifest.get("revision")
    result: dict[str, Any] = {"from": str(folder), "database": kind, "revision": revision, "media_files": restored}
    text = f"已恢复 / restored: {folder} (数据库 / database + {restored} 个媒体文件 / media files)"
    if revision != head_revision():
        text += "\n数据库版本较旧，请运行 studio-bot init / the database is at an older migration: run studio-bot init"
    emit(result, text, as_json=as_json)


def _load(settings: Settings, folder: Path, manifest: dict[str, Any], display: Display, *, as_json: bool) -> int:
    """The database, then the media files; how many media files."""
    if is_sqlite(settings.database_url):
        target = store.sqlite_path(settings.database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = folder / store.SQLITE_FILE
        store.sqlite_copy(source, target, display.bar("数据库 / database", store.sqlite_pages(source)).advance)
    else:
        display.bar("pg_restore")
        command, env = store.pg_restore_command(settings.database_url, folder / store.PG_FILE)
        _tool("pg_restore", command, env, as_json=as_json)
    files = [f for f in manifest["files"] if str(f["path"]).startswith(f"{store.MEDIA}/")]
    bar = display.bar("媒体文件 / media", len(files))
    return store.restore_media(folder, files, settings.media_dir, bar.advance)


def _refuse_non_empty(settings: Settings, *, as_json: bool) -> None:
    if is_sqlite(settings.database_url):
        if not store.sqlite_is_empty(store.sqlite_path(settings.database_url)):
            fail("目标数据库不是空的 / the target database is not empty; restore needs a new one", as_json=as_json)
    else:
        if _tables(settings.database_url, as_json=as_json)[1]:
            fail("目标数据库不是空的 / the target database is not empty; restore needs a new one", as_json=as_json)
    if not store.folder_is_empty(settings.media_dir):
        fail(f"MEDIA_DIR 不是空的 / MEDIA_DIR is not empty: {settings.media_dir}", as_json=as_json)
