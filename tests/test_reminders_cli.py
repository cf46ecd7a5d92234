"""`studio-bot remind [--dry-run] [--at DATETIME] [--json]` as an operator uses it."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.database import create_engine, session_factory
from storage.models import OutboxMessage
from tests.reminders_support import World, build_world, outbox_rows


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), env={"DATABASE_URL": db_url, "ENVIRONMENT": "development"})

    return invoke


def in_db(db_url: str, fn: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(db_url)
        try:
            return await fn(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture
def world(db_url: str) -> World:
    async def build(sessions: Any) -> World:
        async with sessions() as s:
            return await build_world(s, named_on=date(2024, 3, 10))

    return in_db(db_url, build)


def rows(db_url: str) -> list[OutboxMessage]:
    return in_db(db_url, outbox_rows)


def test_dry_run_previews_in_each_recipients_language_and_writes_nothing(cli: Any, db_url: str, world: World) -> None:
    result = cli("remind", "--dry-run", "--at", "2027-03-10T09:00", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["dry_run"] and data["at"] == "2027-03-10T09:00+08:00"
    overdue = [r for r in data["reminders"] if r["topic"] == "overdue"]
    assert [r["person"] for r in overdue] == ["张技协"] and overdue[0]["text"].startswith("[Assessment overdue]")
    assert data["new"] == len(data["reminders"]) and rows(db_url) == []


def test_a_pass_queues_once_and_a_second_pass_finds_nothing_new(cli: Any, db_url: str, world: World) -> None:
    first = cli("remind", "--at", "2027-03-10T09:00")
    assert first.exit_code == 0, first.output
    assert "新提醒 / new reminders:" in first.stdout and "overdue" in first.stdout
    queued = rows(db_url)
    assert queued and all(r.kind == "reminder" for r in queued)
    again = json.loads(cli("remind", "--at", "2027-03-10T09:30", "--json").stdout)
    assert again["new"] == 0 and again["outbox"] == {"pending": len(queued)}


def test_a_moment_without_zone_is_local_time_and_a_night_pass_goes_out_next_morning(cli: Any, world: World) -> None:
    data = json.loads(cli("remind", "--dry-run", "--at", "2027-03-10T22:30", "--json").stdout)
    assert data["due_at"] == "2027-03-11T08:00+08:00"


def test_a_bad_moment_is_one_line_exit_2_and_nothing_written(cli: Any, db_url: str, world: World) -> None:
    result = cli("remind", "--at", "next tuesday")
    assert result.exit_code == 2
    assert "--at" in result.output and len(result.output.strip().splitlines()) == 1
    assert rows(db_url) == []
