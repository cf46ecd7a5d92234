"""`studio-bot backup` / `restore`: a round trip keeps every entry, version, attachment file and audit row."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.backup import _revision_and_tables
from storage.backup import sqlite_is_empty
from storage.database import create_engine, session_factory
from storage.media import store_bytes
from storage.models import ActivityVersion, Attachment, AuditLog, LedgerEntry, LedgerKind
from storage.repos import attachments, audit, ledgers
from tests.reviews_support import ACTIVITY_FIELDS
from tests.support.world import make_world

PHOTO = b"\x89PNG a photo of the lathe"


def _cli(*args: str, db: str, media: Path) -> Any:
    env = {"DATABASE_URL": db, "MEDIA_DIR": str(media), "ENVIRONMENT": "development"}
    return CliRunner().invoke(app, list(args), env=env)


def _seed(db_url: str, media: Path) -> None:
    """The shared world with an entry in two versions, a photo on it and the audit rows of both."""

    async def go() -> None:
        engine = create_engine(db_url)
        sessions = session_factory(engine)
        try:
            world = await make_world(sessions)
            stored = store_bytes(media, PHOTO, filename="lathe.png", media_type="image/png")
            async with sessions() as session, session.begin():
                entry = await ledgers.create_entry(
                    session=session,
                    studio_id=world.studio.id,
                    kind=LedgerKind.ACTIVITY,
                    author_id=world.lead.id,
                    fields=ACTIVITY_FIELDS,
                )
                await audit.record(
                    session=session,
                    actor_id=world.lead.id,
                    channel="test",
                    object_type="entry",
                    object_id=entry.id,
                    to_state="submitted",
                    version=1,
                    studio_id=world.studio.id,
                )
                await ledgers.edit_entry(session=session, entry=entry, editor_id=world.lead.id, fields={"title": "改"})
                await audit.record(
                    session=session,
                    actor_id=world.lead.id,
                    channel="test",
                    object_type="entry",
                    object_id=entry.id,
                    from_state="submitted",
                    to_state="submitted",
                    version=2,
                    studio_id=world.studio.id,
                    reason="edited",
                )
                await attachments.add_attachment(
                    session=session,
                    file={
                        "stored_path": str(stored.path),
                        "size": stored.size,
                        "sha256": stored.sha256,
                        "media_type": stored.media_type,
                        "filename": "lathe.png",
                        "channel": "test",
                    },
                    uploaded_by_id=world.lead.id,
                    entry_id=entry.id,
                    entry_version=2,
                )
        finally:
            await engine.dispose()

    asyncio.run(go())


def _contents(db_url: str) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        engine = create_engine(db_url)
        try:
            async with session_factory(engine)() as s:
                entries = (await s.execute(select(LedgerEntry.id, LedgerEntry.version, LedgerEntry.title))).all()
                versions = (await s.execute(select(ActivityVersion.entry_id, ActivityVersion.version))).all()
                files = (await s.execute(select(Attachment.stored_path, Attachment.sha256))).all()
                trail = (await s.execute(select(AuditLog.object_id, AuditLog.version, AuditLog.reason))).all()
                return {
                    "entries": sorted(map(tuple, entries)),
                    "versions": sorted(map(tuple, versions)),
                    "attachments": sorted(map(tuple, files)),
                    "audit": sorted(map(tuple, trail), key=str),
                    "alembic": await s.scalar(text("select version_num from alembic_version")),
                }
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _round_trip(source: str, target: str, tmp_path: Path) -> None:
    media, out, media2 = tmp_path / "media", tmp_path / "backup", tmp_path / "restored-media"
    _seed(source, media)
    before = _contents(source)
    done = _cli("backup", "--out", str(out), "--json", db=source, media=media)
    assert done.exit_code == 0, done.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["revision"] == before["alembic"] and manifest["version"]
    assert len([f for f in manifest["files"] if f["path"].startswith("media/")]) == 1
    restored = _cli("restore", str(out), "--json", db=target, media=media2)
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["media_files"] == 1
    after = _contents(target)
    assert after == before and len(after["versions"]) == 2 and len(after["audit"]) == 2
    [(stored_path, sha)] = after["attachments"]
    relative = Path(stored_path).relative_to(media)
    assert (media2 / relative).read_bytes() == PHOTO and hashlib.sha256(PHOTO).hexdigest() == sha


def test_a_sqlite_backup_restores_every_entry_version_attachment_and_audit_row(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the SQLite round trip; PostgreSQL has its own")
    _round_trip(db_url, f"sqlite+aiosqlite:///{tmp_path / 'new' / 'studio.db'}", tmp_path)


@pytest.fixture
def empty_pg(postgres_server_url: str | None) -> Iterator[str]:
    """A new PostgreSQL database with nothing in it (restore's target)."""
    if postgres_server_url is None:
        pytest.skip("PostgreSQL is not reachable")
    from tests.conftest import _admin_exec

    base = make_url(postgres_server_url)
    name = f"restore_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_exec(postgres_server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_exec(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="no pg_dump/pg_restore")
def test_a_postgresql_backup_restores_through_pg_dump(postgres_url: str, empty_pg: str, tmp_path: Path) -> None:
    _round_trip(postgres_url, empty_pg, tmp_path)


@pytest.fixture
def backed_up(db_url: str, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    _seed(db_url, media)
    out = tmp_path / "backup"
    assert _cli("backup", "--out", str(out), db=db_url, media=media).exit_code == 0
    return out


@pytest.fixture
def fresh(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of the test run's kind: restore's proper target."""
    if db_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    return str(request.getfixturevalue("empty_pg"))


def _still_empty(url: str) -> bool:
    if url.startswith("sqlite"):
        return sqlite_is_empty(Path(make_url(url).database or ""))
    return not asyncio.run(_revision_and_tables(url))[1]


def _one_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    return lines[0]


def test_backup_refuses_a_folder_that_is_not_empty(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    line = _one_line(_cli("backup", "--out", str(out), db=db_url, media=tmp_path / "media"))
    assert "empty" in line
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_backup_on_postgresql_without_pg_dump_prints_the_call_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    url = "postgresql+asyncpg://studio:s3cret-pw@db.internal:5432/studio_bot"
    line = _one_line(_cli("backup", "--out", str(tmp_path / "b"), db=url, media=tmp_path / "media"))
    assert "pg_dump --format=custom" in line and "--host=db.internal" in line and "--dbname=studio_bot" in line
    assert "s3cret-pw" not in line and "PGPASSWORD=…" in line
    assert not (tmp_path / "b").exists()


def test_restore_refuses_a_database_that_is_not_empty(db_url: str, backed_up: Path, tmp_path: Path) -> None:
    line = _one_line(_cli("restore", str(backed_up), db=db_url, media=tmp_path / "other-media"))
    assert "not empty" in line
    assert not (tmp_path / "other-media").exists()


def test_restore_refuses_a_media_folder_that_is_not_empty(backed_up: Path, tmp_path: Path, fresh: str) -> None:
    line = _one_line(_cli("restore", str(backed_up), db=fresh, media=tmp_path / "media"))
    assert "MEDIA_DIR" in line
    assert _still_empty(fresh)


@pytest.mark.parametrize("damage", ["photo", "database"])
def test_restore_refuses_a_backup_whose_checksums_do_not_match(
    backed_up: Path, tmp_path: Path, fresh: str, damage: str
) -> None:
    manifest = json.loads((backed_up / "manifest.json").read_text(encoding="utf-8"))
    name = next(f["path"] for f in manifest["files"] if f["path"].startswith("media/") == (damage == "photo"))
    with (backed_up / name).open("ab") as f:
        f.write(b"!")
    media = tmp_path / "fresh-media"
    line = _one_line(_cli("restore", str(backed_up), db=fresh, media=media))
    assert "checksum" in line and name in line
    assert _still_empty(fresh) and not media.exists()


def test_restore_of_a_folder_without_manifest_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    line = _one_line(
        _cli("restore", str(tmp_path / "nothing"), db=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", media=tmp_path / "m")
    )
    assert "manifest.json" in line
    assert not (tmp_path / "x.db").exists()
