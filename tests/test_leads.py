"""One lead per studio, one rule: storage.repos.leads, which the admin CLI and the bulk import both go through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from storage.importer.apply import apply_plan
from storage.importer.run import check_file, import_file
from storage.models import AuditLog, Person, RoleKind, Studio
from storage.repos import leads, org, persons
from tests.import_data import GOOD, filled
from tests.test_cli_edges import cli, invoke, work  # noqa: F401

STUDIO = "王建国技师创新工作室"  # GOOD makes 王建国 its lead


async def _imported(session: AsyncSession, tmp_path: Path) -> Studio:
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    await session.commit()
    studio = await org.get_studio(session=session, name=STUDIO)
    assert studio is not None
    await session.commit()  # SQLite: end the read, so that the CLI may write
    return studio


async def _person(session: AsyncSession, name: str) -> Person:
    [person] = await persons.find_people(session=session, name=name)
    return person


def _shape(rows: list[AuditLog]) -> list[tuple[Any, ...]]:
    """An audit row as a replacement writes it, without what differs between two replacements (ids, time)."""
    return [
        (r.object_type, r.actor_id, r.from_state, r.to_state, r.reason, sorted(r.detail), r.detail["kind"])
        for r in rows
    ]


async def _role_rows(session: AsyncSession, studio: Studio) -> list[AuditLog]:
    """The rows a change of lead writes (a first grant has a row of its own, without this reason)."""
    query = select(AuditLog).where(
        AuditLog.object_type == "role", AuditLog.studio_id == studio.id, AuditLog.reason == leads.REPLACED
    )
    return list(await session.scalars(query.order_by(AuditLog.id)))


async def test_the_cli_and_the_import_refuse_a_second_lead_alike(
    cli: CliRunner,  # noqa: F811
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    studio = await _imported(session, tmp_path)
    rival = {"角色": [["赵磊", None, "领衔人", STUDIO, None]]}
    outcome = await import_file(session=session, path=filled(tmp_path, "rival.xlsx", rival))
    assert [(p.code, p.params) for p in outcome.problems] == [
        ("import.error.studio_has_lead", {"studio": STUDIO, "lead": "王建国"})
    ]
    await session.commit()  # nothing was written; the CLI may write
    zhao = await _person_id(session, "赵磊")
    refused = await invoke(cli, "invite", "--studio", STUDIO, "--role", "lead", "--name", "赵磊", "--person", zhao)
    assert refused.exit_code == 2 and "王建国" in refused.stderr and "--replace" in refused.stderr
    with pytest.raises(leads.LeadTaken) as taken:
        await leads.assign_lead(
            session=session,
            studio=studio,
            person=await _person(session, "赵磊"),
            replace=False,
            actor_id=None,
            channel="x",
        )
    assert taken.value.leads == ("王建国",)
    assert [p.name for p in await org.leads_of(session=session, studio_id=studio.id)] == ["王建国"]


async def test_an_import_writing_a_lead_asks_the_database_again(session: AsyncSession, tmp_path: Path) -> None:
    # checked with the studio lead-less, written after someone became its lead: refused, not a second lead
    studio = await _imported(session, tmp_path)
    lead = await _person(session, "王建国")
    await org.revoke_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    await session.commit()
    plan, problems = await check_file(
        session=session, path=filled(tmp_path, "zhao.xlsx", {"角色": [["赵磊", None, "领衔人", STUDIO, None]]})
    )
    assert problems == []
    await org.grant_role(session=session, person=await _person(session, "李娟"), kind=RoleKind.LEAD, studio=studio)
    with pytest.raises(leads.LeadTaken):
        await apply_plan(session, plan)
    await session.rollback()
    outcome = await import_file(
        session=session, path=filled(tmp_path, "zhao.xlsx", {"角色": [["赵磊", None, "领衔人", STUDIO, None]]})
    )
    assert outcome.problems == [] and outcome.report is not None
    assert [p.name for p in await org.leads_of(session=session, studio_id=studio.id)] == ["赵磊"]
    assert await _role_rows(session, studio) == []  # nobody was replaced: nothing to audit


async def test_a_replacement_is_audited_the_same_whoever_asks(
    cli: CliRunner,  # noqa: F811
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    studio = await _imported(session, tmp_path)
    zhao = await _person_id(session, "赵磊")
    args = ("invite", "--studio", STUDIO, "--role", "lead", "--name", "赵磊", "--person", zhao, "--replace")
    replaced = await invoke(cli, *args)
    assert replaced.exit_code == 0, replaced.output
    by_cli = await _role_rows(session, studio)
    assert [r.channel for r in by_cli] == ["cli", "cli"]
    assert (by_cli[0].detail["name"], by_cli[0].detail["replaced_by"]) == ("王建国", "赵磊")
    assert (by_cli[1].detail["name"], by_cli[1].detail["replaces"]) == ("赵磊", "王建国")
    await leads.assign_lead(
        session=session,
        studio=studio,
        person=await _person(session, "王建国"),
        replace=True,
        actor_id=None,
        channel="x",
    )
    direct = (await _role_rows(session, studio))[2:]
    assert _shape(direct) == _shape(by_cli)
    assert (direct[0].detail["name"], direct[1].detail["name"]) == ("赵磊", "王建国")
    assert [p.name for p in await org.leads_of(session=session, studio_id=studio.id)] == ["王建国"]


async def _person_id(session: AsyncSession, name: str) -> str:
    """The id of the one person of that name (invite asks for it when a name is taken)."""
    found = str((await session.scalars(select(Person.id).where(Person.name == name))).one())
    await session.commit()  # the CLI writes next: no transaction of ours may hold SQLite's lock
    return found
