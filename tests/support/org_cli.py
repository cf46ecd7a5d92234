"""The organisation commands as an operator runs them, and what the database holds before and after."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.database import create_engine, session_factory
from storage.models import AuditLog, Base


class OrgCli:
    """`studio-bot ARGS` against one test database, and reads of that database."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def __call__(self, *args: str) -> Result:
        """Run a command; the result has stdout, stderr and exit_code."""
        env = {"DATABASE_URL": self.db_url, "ENVIRONMENT": "development", "COLUMNS": "200"}
        return CliRunner().invoke(app, list(args), env=env)

    def ok(self, *args: str) -> dict[str, Any]:
        """Run a command with --json that must succeed; its JSON object."""
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["ok"] is True
        return dict(data)

    def refused(self, *args: str, needle: str) -> None:
        """A command that must fail as a user mistake: one line, exit 2, nothing written, with and without --json."""
        before = self.snapshot()
        result = self(*args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误 / error: ") and needle in lines[0], result.stderr
        as_json = self(*args, "--json")
        assert as_json.exit_code == 2 and needle in json.loads(as_json.stdout)["error"]
        assert self.snapshot() == before

    def read(self, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """What `fn` reads from the database."""

        async def go() -> Any:
            engine = create_engine(self.db_url)
            try:
                async with session_factory(engine)() as session:
                    return await fn(session)
            finally:
                await engine.dispose()

        return asyncio.run(go())

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, to show that a refused command wrote nothing."""

        async def fn(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
            out = {}
            for table in Base.metadata.sorted_tables:
                rows = (await session.execute(select(table))).all()
                out[table.name] = sorted((tuple(map(repr, r)) for r in rows), key=str)
            return out

        return dict(self.read(fn))

    def audit(self, object_type: str | None = None) -> list[AuditLog]:
        """The audit rows (of one kind of object), oldest first."""

        async def fn(session: AsyncSession) -> list[AuditLog]:
            query = select(AuditLog).order_by(AuditLog.id)
            if object_type:
                query = query.where(AuditLog.object_type == object_type)
            return list(await session.scalars(query))

        return list(self.read(fn))

    def seed(self) -> None:
        """A municipal association, a district union under it, and a named studio."""
        self.ok("union", "add", "上海市职工技术协会", "--level", "市级")
        self.ok("union", "add", "浦东新区总工会", "--level", "district", "--parent", "上海市职工技术协会")
        self.ok("studio", "add", "王建国技师创新工作室", "--union", "浦东新区总工会", "--named-on", "2025-06-01")
