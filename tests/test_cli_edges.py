"""The command line at its edges: the configured time zone's today, unwritable outputs, JSON for every error."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.cli.common import cli_date
from storage.models import AuditLog, Role, RoleKind, Studio
from tests.export_data import build_world
from tests.import_data import GOOD, filled
from tests.support import Transcript, make_bot

# Fourteen hours east and eleven west of UTC: their dates always differ, so at most one is the machine's.
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The folder commands run in, apart from the test's SQLite file."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, work: Path) -> CliRunner:
    """A runner against the test's database, in an empty folder (no stray .env)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("TIMEZONE", raising=False)
    monkeypatch.chdir(work)
    return CliRunner()


async def invoke(cli: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    # The CLI runs its own event loop: call it from a thread, away from the test's loop.
    return await asyncio.to_thread(cli.invoke, app, list(args), env=env)


def one_line_error(result: Result, *needles: str) -> None:
    """Exit code 2, one line on stderr holding every needle, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert all(n in result.stderr for n in needles), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def json_error(result: Result, *needles: str) -> dict[str, Any]:
    """Exit code 2 and exactly one JSON object on stdout, a failure holding every needle."""
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.stdout.splitlines() if line.strip()]
    data = json.loads(line)
    assert data["ok"] is False and all(n in data["error"] for n in needles), data
    return dict(data)


async def studios(session: AsyncSession) -> int:
    """How many studios the CLI committed (the read's transaction ends at once: SQLite has one writer)."""
    await session.rollback()
    count = int(await session.scalar(select(func.count()).select_from(Studio)) or 0)
    await session.rollback()
    return count


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def seed_union(cli: CliRunner) -> None:
    """The municipal and district unions of the shared import file, as that file names them."""
    assert (await invoke(cli, "union", "add", "市职工技协", "--level", "municipal")).exit_code == 0
    args = ("union", "add", "浦东新区总工会", "--level", "district", "--parent", "市职工技协")
    assert (await invoke(cli, *args)).exit_code == 0


# ---- 1. dates count in TIMEZONE, not in the machine's zone ----------------------------------------


async def test_today_is_the_configured_time_zones(cli: CliRunner, session: AsyncSession) -> None:
    await seed_union(cli)
    for n, zone in enumerate((EAST, WEST)):
        before = datetime.now(ZoneInfo(zone)).date()
        args = ("studio", "add", f"今日工作室{n}", "--union", "浦东新区总工会", "--named-on", "今天", "--json")
        result = await invoke(cli, *args, env={"TIMEZONE": zone})
        after = datetime.now(ZoneInfo(zone)).date()
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["named_on"] in (before.isoformat(), after.isoformat()), zone


# ---- 4. a studio is not named in the future ----------------------------------------------------------


async def test_a_naming_date_after_today_is_refused(cli: CliRunner, session: AsyncSession, tmp_path: Path) -> None:
    await seed_union(cli)
    args = ("studio", "add", "S未来", "--union", "浦东新区总工会", "--named-on", "2030-01-01")
    one_line_error(await invoke(cli, *args), "2030-01-01", "晚于今天", "after today")
    json_error(await invoke(cli, *args, "--json"), "after today")
    assert await studios(session) == 0

    next_year = date(datetime.now(ZoneInfo(EAST)).year + 1, 1, 1)
    rows = {**GOOD, "工作室": [*GOOD["工作室"], ["明年工作室", "浦东新区总工会", None, None, None, next_year]]}
    result = await invoke(cli, "import", str(filled(tmp_path, "future.xlsx", rows)), "--json")
    assert result.exit_code == 2, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "import.error.future_date" and "不能晚于今天" in problem["message"]
    assert "cannot be after today" in result.stderr
    assert await studios(session) == 0


# ---- 2, 3. an output that cannot be written: one line, exit 2, nothing left behind ------------------


async def test_unwritable_outputs_are_one_line_and_exit_2(cli: CliRunner, session: AsyncSession, work: Path) -> None:
    world = await build_world(session)
    await session.commit()
    (work / "a-file").write_text("not a folder", encoding="utf-8")
    (work / "dir.xlsx").mkdir()
    for target in ("/proc/a.xlsx", "a-file/a.xlsx", "dir.xlsx"):
        for command in (
            ["assess", "--studio", world.studio.name, "--at", "2026-12-01", "--out", target],
            ["import", "--template", target],
            ["export", "--studio", world.studio.name, "--out", target],
        ):
            one_line_error(await invoke(cli, *command), "无法写入文件", "cannot write the file", target)
            json_error(await invoke(cli, *command, "--json"), "cannot write the file", target)
    assert listing(work) == ["a-file", "dir.xlsx"] and listing(work / "dir.xlsx") == []


async def test_a_failed_export_leaves_no_file_and_is_not_a_database_error(
    cli: CliRunner, session: AsyncSession, work: Path
) -> None:
    world = await build_world(session)
    await session.commit()
    (work / "d.xlsx").mkdir()
    (work / "q-创新成果台账.csv").mkdir()  # the second of the three CSV files cannot be written
    for out in ("d.xlsx", "q.csv"):
        result = await invoke(cli, "export", "--studio", world.studio.name, "--out", out, "--all")
        one_line_error(result, "cannot write the file", "Is a directory")
        assert "database" not in result.stderr and "数据库" not in result.stderr
    assert listing(work) == ["d.xlsx", "q-创新成果台账.csv"]
    assert listing(work / "d.xlsx") == listing(work / "q-创新成果台账.csv") == []

    result = await invoke(cli, "export", "--studio", world.studio.name, "--out", "ok.csv", "--all", "--json")
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert [Path(f).name for f in files] == ["ok-日常活动台账.csv", "ok-创新成果台账.csv", "ok-培训带徒台账.csv"]
    assert sorted(Path(f).name for f in files) == [n for n in listing(work) if n.startswith("ok-")]
    assert not [name for name in listing(work) if name.startswith(".") or name.endswith(".part")]


# ---- 7. the template is an .xlsx ---------------------------------------------------------------------


async def test_the_template_must_be_named_xlsx(cli: CliRunner, work: Path) -> None:
    one_line_error(await invoke(cli, "import", "--template", "t3.csv"), ".xlsx", "t3.csv")
    json_error(await invoke(cli, "import", "--template", "t3.csv", "--json"), ".xlsx")
    assert listing(work) == []
    result = await invoke(cli, "import", "--template", "t.XLSX")
    assert result.exit_code == 0 and listing(work) == ["t.XLSX"]


# ---- 5. --json also for configuration and usage errors -----------------------------------------------


async def test_configuration_and_usage_errors_print_json_when_asked(cli: CliRunner) -> None:
    bad_zone = {"TIMEZONE": "Mars/Olympus"}
    result = await invoke(cli, "union", "add", "X", "--level", "municipal", "--json", env=bad_zone)
    json_error(result, "配置错误 / configuration error", "TIMEZONE", "Mars/Olympus")
    assert result.stderr.count("\n") == 1 and "TIMEZONE" in result.stderr
    plain = await invoke(cli, "union", "add", "X", "--level", "municipal", env=bad_zone)
    assert plain.exit_code == 2 and plain.stdout == ""

    for args, needle in (
        (["union", "add", "X", "--json"], "--level"),
        (["union", "add", "X", "--level", "municipal", "--json", "--bogus"], "--bogus"),
        (["studio", "remove", "X", "--json"], "remove"),
    ):
        result = await invoke(cli, *args)
        json_error(result, "usage error", needle)
        assert needle in result.stderr
        plain = await invoke(cli, *[a for a in args if a != "--json"])
        assert plain.exit_code == 2 and plain.stdout == ""


# ---- 6. replacing a lead is in the audit trail, and the old lead's code no longer binds -----------------


async def test_replacing_a_lead_is_audited_and_the_old_code_is_refused(
    cli: CliRunner, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_union(cli)
    assert (await invoke(cli, "studio", "add", "换人工作室", "--union", "浦东新区总工会")).exit_code == 0
    first = await invoke(cli, "invite", "--studio", "换人工作室", "--role", "lead", "--name", "张三", "--json")
    old_code = json.loads(first.stdout)["code"]
    second = await invoke(
        cli, "invite", "--studio", "换人工作室", "--role", "lead", "--name", "李四", "--replace", "--json"
    )
    assert second.exit_code == 0, second.output

    await session.rollback()
    rows = list(await session.scalars(select(AuditLog).where(AuditLog.object_type == "role").order_by(AuditLog.id)))
    roles = {r.id: r for r in await session.scalars(select(Role).where(Role.kind == RoleKind.LEAD))}
    assert [(r.channel, r.actor_id, r.from_state, r.to_state) for r in rows] == [
        ("cli", None, None, "active"),  # 张三's first invite
        ("cli", None, "active", "revoked"),
        ("cli", None, None, "active"),
    ]
    assert rows[0].detail["name"] == "张三"
    rows = rows[1:]
    assert rows[0].detail["name"] == "张三" and rows[0].detail["replaced_by"] == "李四"
    assert rows[1].detail["name"] == "李四" and rows[1].detail["replaces"] == "张三"
    assert not roles[rows[0].object_id].active and roles[rows[1].object_id].active
    assert rows[0].studio_id == rows[1].studio_id == roles[rows[0].object_id].studio_id
    await session.rollback()

    trail = await invoke(cli, "audit", "--studio", "换人工作室")
    assert trail.exit_code == 0 and "lead replaced" in trail.stdout
    assert "张三 的角色「工作室领衔人」（换人工作室）  生效 → 撤销" in trail.stdout

    chat = Transcript(make_bot(sessions), "zhangsan-phone")
    await chat.say(f"绑定 {old_code}")
    chat.expect("绑定码无效")  # as any failed code
    chat.expect_not("绑定成功")


def test_cli_date_counts_from_the_time_zones_today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "development")
    for zone in (EAST, WEST):
        monkeypatch.setenv("TIMEZONE", zone)
        before = datetime.now(ZoneInfo(zone)).date()
        assert cli_date("今天", what="--to", as_json=False) in (before, datetime.now(ZoneInfo(zone)).date())
        assert cli_date("3月5日", what="--to", as_json=False, today=date(2026, 1, 1)) == date(2026, 3, 5)
