"""Long commands show a progress bar to a person at a terminal, and nothing with --json or into a file or pipe."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from pathlib import Path

from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.progress import progress
from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import assess_union
from storage.database import create_engine, session_factory
from tests.support.world import make_world


def _terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100), buffer


def test_a_terminal_sees_the_bar_move() -> None:
    console, buffer = _terminal()
    with progress(as_json=False, console=console) as display:
        bar = display.bar("媒体文件 / media", 3)
        for _ in range(3):
            bar.advance()
    assert display.shown and "媒体文件 / media" in buffer.getvalue() and "3/3" in buffer.getvalue()


def test_json_is_quiet_even_on_a_terminal() -> None:
    console, buffer = _terminal()
    with progress(as_json=True, console=console) as display:
        display.bar("x", 2).advance(2)
    assert not display.shown and buffer.getvalue() == ""


def test_commands_into_a_pipe_print_only_their_result(db_url: str, tmp_path: Path) -> None:
    async def seed() -> None:
        engine = create_engine(db_url)
        try:
            await make_world(session_factory(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())
    env = {"DATABASE_URL": db_url, "MEDIA_DIR": str(tmp_path / "media"), "ENVIRONMENT": "development"}
    runner = CliRunner()
    for args in (
        ["backup", "--out", str(tmp_path / "b")],
        ["assess", "--union", "浦东新区总工会"],
        ["export", "--studio", "张工数控创新工作室", "--out", str(tmp_path / "l.xlsx")],
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
        assert result.stderr == "", args
        assert "━" not in result.stdout and "\r" not in result.stdout


async def test_assess_union_feeds_its_bar_studio_by_studio(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = await make_world(sessions)
    seen: list[tuple[int, int]] = []
    async with sessions() as session:
        ranked = await assess_union(
            session=session,
            union=world.municipal,
            rubric=load_rubric(None),
            today=date(2026, 6, 1),
            step=lambda done, total: seen.append((done, total)),
        )
    assert [r.studio.name for r in ranked] == [world.studio.name] and seen == [(1, 1)]
