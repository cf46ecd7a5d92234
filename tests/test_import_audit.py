"""An import is audited like the commands: every union, studio, person and role it creates has its row, by name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.run import import_file
from storage.models import AuditLog, Role
from tests.import_data import GOOD, filled


async def test_everything_an_import_creates_is_in_the_audit_trail(session: AsyncSession, tmp_path: Path) -> None:
    outcome = await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    assert outcome.problems == []
    await session.commit()
    rows = list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert {r.channel for r in rows} == {"import"} and all(r.actor_id is None for r in rows)
    assert Counter((r.object_type, r.to_state) for r in rows) == {
        ("union", "created"): 3,
        ("studio", "created"): 2,
        ("person", "created"): 4,
        ("role", "active"): 5,
    }
    roles = {role.id: role for role in await session.scalars(select(Role))}
    granted = [r for r in rows if r.object_type == "role"]
    assert all(r.detail["kind"] == roles[r.object_id].kind.value for r in granted)  # each row names its own role
    assert all(r.studio_id == roles[r.object_id].studio_id for r in granted)
    assert sorted(r.detail["name"] for r in granted) == ["李娟", "李娟", "王建国", "赵磊", "陈审核"]


async def test_importing_the_same_file_again_writes_no_audit_row(session: AsyncSession, tmp_path: Path) -> None:
    path = filled(tmp_path, "good.xlsx", GOOD)
    await import_file(session=session, path=path)
    await session.commit()
    before = len(list(await session.scalars(select(AuditLog))))
    again = await import_file(session=session, path=path)
    await session.commit()
    assert again.problems == [] and len(list(await session.scalars(select(AuditLog)))) == before
