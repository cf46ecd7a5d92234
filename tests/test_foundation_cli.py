"""The admin CLI as an operator uses it: init, union add, studio add, invite, their --json and their errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from storage.database import create_engine, session_factory
from storage.models import Base, Cycle, InviteCode, Person, Role, RoleKind, Studio, StudioStatus, Union
from storage.repos import invites

Result = Any


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `studio-bot ARGS` against the test's database, away from any developer's .env."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"DATABASE_URL": db_url, "ENVIRONMENT": "development"})

    return invoke


def _query(db_url: str, fn: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(db_url)
        try:
            async with session_factory(engine)() as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _counts(db_url: str) -> dict[str, int]:
    async def fn(session: Any) -> dict[str, int]:
        return {
            t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }

    return dict(_query(db_url, fn))


def _json(result: Result) -> dict[str, Any]:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data


def _seed(cli: Any) -> None:
    assert cli("union", "add", "上海市职工技术协会", "--level", "municipal").exit_code == 0
    assert cli("union", "add", "浦东新区总工会", "--level", "district", "--parent", "上海市职工技术协会").exit_code == 0
    assert (
        cli("studio", "add", "王建国技师创新工作室", "--union", "浦东新区总工会", "--named-on", "2025-06-01").exit_code
        == 0
    )


def test_init_twice_reports_the_same_revision(cli: Any) -> None:
    first = _json(cli("init", "--json"))
    second = _json(cli("init", "--json"))
    assert first["ok"] and second["ok"]
    assert first["after"] == second["before"] == second["after"]
    plain = cli("init")
    assert plain.exit_code == 0 and "database ready" in plain.stdout


def test_union_add_with_chinese_names_and_json_shape(cli: Any, db_url: str) -> None:
    top = _json(cli("union", "add", "上海市职工技术协会", "--level", "municipal", "--json"))
    assert top == {"ok": True, "id": top["id"], "name": "上海市职工技术协会", "level": "municipal", "parent": None}
    child = _json(
        cli("union", "add", "电气产业工会", "--level", "industry", "--parent", "上海市职工技术协会", "--json")
    )
    assert child["parent"] == "上海市职工技术协会" and child["level"] == "industry"
    plain = cli("union", "add", "上海电气集团工会", "--level", "enterprise", "--parent", "电气产业工会")
    assert plain.exit_code == 0 and "上海电气集团工会" in plain.stdout

    async def parents(session: Any) -> dict[str, str | None]:
        rows = (await session.execute(select(Union.name, Union.parent_id))).all()
        names = {u.id: u.name for u in await session.scalars(select(Union))}
        return {name: names.get(pid) for name, pid in rows}

    assert _query(db_url, parents) == {
        "上海市职工技术协会": None,
        "电气产业工会": "上海市职工技术协会",
        "上海电气集团工会": "电气产业工会",
    }


def test_studio_add_named_starts_a_three_year_cycle(cli: Any, db_url: str) -> None:
    cli("union", "add", "浦东新区总工会", "--level", "district")
    data = _json(
        cli(
            "studio",
            "add",
            "王建国技师创新工作室",
            "--union",
            "浦东新区总工会",
            "--enterprise",
            "上海机床厂",
            "--named-on",
            "2025年6月1日",
            "--json",
        )
    )
    assert data["status"] == "named" and data["named_on"] == "2025-06-01" and data["cycle_ends_on"] == "2028-05-31"
    prospective = _json(cli("studio", "add", "李娟工作室", "--union", "浦东新区总工会", "--json"))
    assert prospective["status"] == "prospective" and prospective["cycle_ends_on"] is None

    async def stored(session: Any) -> tuple[Any, ...]:
        studio = await session.scalar(select(Studio).where(Studio.name == "王建国技师创新工作室"))
        cycle = await session.scalar(select(Cycle).where(Cycle.studio_id == studio.id))
        return studio.enterprise, studio.status, cycle.number, cycle.starts_on, cycle.ends_on

    assert _query(db_url, stored) == ("上海机床厂", StudioStatus.NAMED, 1, date(2025, 6, 1), date(2028, 5, 31))


def test_invite_prints_a_code_that_is_stored_only_hashed(cli: Any, db_url: str) -> None:
    _seed(cli)
    data = _json(
        cli(
            "invite",
            "--studio",
            "王建国技师创新工作室",
            "--role",
            "lead",
            "--name",
            "王建国",
            "--grade",
            "高级技师",
            "--json",
        )
    )
    assert set(data) == {"ok", "code", "person_id", "name", "role", "studio", "union", "expires_at"}
    assert data["role"] == "lead" and data["name"] == "王建国" and data["union"] is None
    expires = datetime.fromisoformat(data["expires_at"])
    assert expires.utcoffset() == timedelta(hours=8)  # shown in Shanghai time
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)

    async def stored(session: Any) -> tuple[Any, ...]:
        invite = await invites.find_invite(session=session, code=data["code"].lower())
        raw = await session.scalar(select(func.count()).where(InviteCode.code_hash == data["code"]))
        person = await session.get(Person, data["person_id"])
        roles = list(await session.scalars(select(Role.kind).where(Role.person_id == person.id)))
        return invite is not None, raw, person.grade, roles

    assert _query(db_url, stored) == (True, 0, "高级技师", [RoleKind.LEAD])
    reviewer = cli("invite", "--union", "浦东新区总工会", "--role", "reviewer", "--name", "陈审核")
    assert reviewer.exit_code == 0 and "绑定 " in reviewer.stdout


def test_invite_same_person_again_gives_a_new_code_and_one_person(cli: Any, db_url: str) -> None:
    _seed(cli)
    args = ("invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "李娟", "--json")
    a = _json(cli(*args))
    b = _json(cli(*args, "--person", str(a["person_id"])))
    assert a["person_id"] == b["person_id"] and a["code"] != b["code"]

    async def n(session: Any) -> tuple[int, int]:
        people = await session.scalar(select(func.count()).select_from(Person).where(Person.name == "李娟"))
        roles = await session.scalar(select(func.count()).select_from(Role))
        return people, roles

    assert _query(db_url, n) == (1, 1)


def test_a_second_lead_needs_replace(cli: Any, db_url: str) -> None:
    _seed(cli)
    assert cli("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "王建国").exit_code == 0
    before = _counts(db_url)
    refused = cli("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "张强")
    assert refused.exit_code == 2 and "--replace" in refused.stderr
    assert _counts(db_url) == before
    swapped = cli("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "张强", "--replace")
    assert swapped.exit_code == 0

    async def leads(session: Any) -> list[tuple[str, bool]]:
        rows = await session.execute(
            select(Person.name, Role.active).join(Role).where(Role.kind == RoleKind.LEAD).order_by(Person.id)
        )
        return [tuple(r) for r in rows]

    assert _query(db_url, leads) == [("王建国", False), ("张强", True)]


ERRORS = [
    pytest.param(("union", "add", "X", "--level", "city"), "unknown level", id="unknown-level"),
    pytest.param(
        ("union", "add", "X", "--level", "district", "--parent", "无此工会"), "no such parent", id="no-parent"
    ),
    pytest.param(("union", "add", "浦东新区总工会", "--level", "district"), "already exists", id="duplicate-union"),
    pytest.param(
        ("union", "add", "X", "--level", "municipal", "--parent", "上海市职工技术协会"),
        "no parent",
        id="municipal-parent",
    ),
    pytest.param(
        ("union", "add", "X", "--level", "district", "--parent", "浦东新区总工会"),
        "cannot be the parent",
        id="bad-tier",
    ),
    pytest.param(("union", "add", "  ", "--level", "district"), "empty", id="empty-union-name"),
    pytest.param(("studio", "add", "新工作室", "--union", "不存在的工会"), "no such union", id="missing-union"),
    pytest.param(
        ("studio", "add", "王建国技师创新工作室", "--union", "浦东新区总工会"), "already exists", id="duplicate-studio"
    ),
    pytest.param(
        ("studio", "add", "新工作室", "--union", "浦东新区总工会", "--named-on", "2026-02-30"),
        "not a date",
        id="bad-date",
    ),
    pytest.param(
        ("studio", "add", "新工作室", "--union", "浦东新区总工会", "--named-on", "去年春天"),
        "not a date",
        id="words-date",
    ),
    pytest.param(
        ("invite", "--studio", "王建国技师创新工作室", "--role", "boss", "--name", "王建国"),
        "unknown role",
        id="unknown-role",
    ),
    pytest.param(
        ("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "王建国", "--grade", "大师"),
        "unknown grade",
        id="unknown-grade",
    ),
    pytest.param(
        ("invite", "--studio", "没有的工作室", "--role", "member", "--name", "李娟"), "no such studio", id="no-studio"
    ),
    pytest.param(
        ("invite", "--union", "没有的工会", "--role", "reviewer", "--name", "陈审核"), "no such union", id="no-union"
    ),
    pytest.param(
        ("invite", "--union", "浦东新区总工会", "--role", "lead", "--name", "王建国"), "needs --studio", id="lead-union"
    ),
    pytest.param(
        ("invite", "--studio", "王建国技师创新工作室", "--role", "expert", "--name", "专家"),
        "needs --union",
        id="expert-studio",
    ),
    pytest.param(
        ("invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", " "), "empty", id="empty-name"
    ),
]


@pytest.mark.parametrize(("args", "needle"), ERRORS)
def test_errors_are_one_line_exit_2_and_write_nothing(
    cli: Any, db_url: str, args: tuple[str, ...], needle: str
) -> None:
    _seed(cli)
    before = _counts(db_url)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr
    assert _counts(db_url) == before

    as_json = cli(*args, "--json")
    assert as_json.exit_code == 2
    data = _json(as_json)
    assert data["ok"] is False and needle in data["error"]
    assert _counts(db_url) == before


def test_commands_before_init_say_to_run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    result = CliRunner().invoke(app, ["union", "add", "X", "--level", "municipal"], env={"DATABASE_URL": url})
    assert result.exit_code == 2
    assert "studio-bot init" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = "postgresql+asyncpg://postgres:s3cret-pw@127.0.0.1:1/nothing"
    for args in (["init"], ["union", "add", "X", "--level", "municipal"]):
        result = CliRunner().invoke(app, args, env={"DATABASE_URL": url})
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "database" in result.stderr
        assert "s3cret-pw" not in result.output


def test_bad_settings_stop_the_cli_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for env in ({"TIMEZONE": "Mars/Olympus"}, {"DATABASE_URL": "sqlite:/nowhere"}, {"DATABASE_URL": "mysql://x@y/z"}):
        result = CliRunner().invoke(app, ["init"], env=env)
        assert result.exit_code == 2, env
        assert len(result.stderr.strip().splitlines()) == 1 and next(iter(env)) in result.stderr
