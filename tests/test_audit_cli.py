"""`studio-bot audit --studio NAME [--json]`: every transition of a studio, oldest first."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.database import create_engine, session_factory
from tests.reviews_support import World, at, make_cast


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """Run `studio-bot ARGS` against the test's database, away from any developer's .env."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env={"DATABASE_URL": db_url, "ENVIRONMENT": "development"})

    return invoke


def _history(db_url: str) -> int:
    """The lead logs an activity and 李四 returns it with a reason; the reviewer's person id."""

    async def go() -> int:
        engine = create_engine(db_url)
        try:
            cast = await make_cast(World(session_factory(engine), at("2026-03-10 10:00")))
            await cast.lead.log_activity()
            await cast.world.deliver()
            await cast.reviewer.press_in("退回")
            await cast.reviewer.say("请补充照片")
            await cast.reviewer.press("提交")
            return cast.reviewer.person.id
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_the_trail_reads_who_what_when_from_to_why(db_url: str, cli: object) -> None:
    _history(db_url)
    result = cli("audit", "--studio", "王建国技师创新工作室")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "王建国技师创新工作室（prospective）审计记录 / audit trail: 2"
    assert lines[1] == "2026-03-10 10:00  王建国  test  台账 #1「数控车床刀具寿命攻关讨论」  已提交"
    assert lines[2] == (
        "2026-03-10 10:00  李四  test  台账 #1「数控车床刀具寿命攻关讨论」  已提交 → 已退回  原因 / reason: 请补充照片"
    )


def test_json_gives_every_field(db_url: str, cli: object) -> None:
    reviewer_id = _history(db_url)
    result = cli("audit", "--studio", "王建国技师创新工作室", "--json")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True and data["studio"] == "王建国技师创新工作室"
    last = data["rows"][-1]
    assert last == {
        "at": "2026-03-10T10:00:00+08:00",
        "actor": "李四",
        "actor_id": reviewer_id,
        "channel": "test",
        "studio": "王建国技师创新工作室",
        "studio_id": last["studio_id"],
        "object_type": "entry",
        "object_id": 1,
        "subject": {
            "type": "entry",
            "id": 1,
            "kind": "activity",
            "title": "数控车床刀具寿命攻关讨论",
            "studio_id": last["studio_id"],
            "studio": "王建国技师创新工作室",
        },
        "version": 1,
        "from": "submitted",
        "to": "returned",
        "reason": "请补充照片",
        "detail": {"decision": "return", "on_behalf_of": None},
        "text": "2026-03-10 10:00  李四  test  台账 #1「数控车床刀具寿命攻关讨论」  已提交 → 已退回"
        "  原因 / reason: 请补充照片",
    }


def test_an_unknown_studio_is_one_line_and_exit_2(cli: object) -> None:
    result = cli("audit", "--studio", "没有这个工作室")  # type: ignore[operator]
    assert result.exit_code == 2
    assert "没有这个工作室 / no such studio: 没有这个工作室" in result.output
    as_json = cli("audit", "--studio", "没有这个工作室", "--json")  # type: ignore[operator]
    assert as_json.exit_code == 2 and json.loads(as_json.stdout.splitlines()[0])["ok"] is False
