"""What every command shares: the Typer app, one-line errors, JSON output, a unit of work."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings, load_settings
from handlers.parsing import parse_date
from storage.database import create_engine, session_factory

T = TypeVar("T")

app = typer.Typer(
    name="studio-bot",
    help="技师创新工作室台账机器人 / Ledger bot for Shanghai's technician innovation studios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout.")


class CliError(Exception):
    """A user mistake: printed as one line, exit code 2, nothing written."""


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    """Print one error line (and a JSON object when asked) and exit with code 2."""
    if as_json:
        print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    print(f"错误 / error: {message}", file=sys.stderr)
    raise typer.Exit(code=2)


def emit(result: dict[str, Any], text: str, *, as_json: bool) -> None:
    """Print the result as one JSON object or as a human line."""
    if as_json:
        print(json.dumps({"ok": True, **result}, ensure_ascii=False, default=str))
    else:
        print(text)


def cli_date(value: str | None, *, what: str, as_json: bool) -> date | None:
    """A date option parsed like chat input (2026-03-05, 2026年3月5日, …), or a clean failure."""
    if value is None:
        return None
    parsed = parse_date(value, today=date.today())
    if parsed is None:
        fail(f"{what}: 无法识别的日期 / not a date: {value!r}", as_json=as_json)
    return parsed


def run_in_session(work: Callable[[AsyncSession, Settings], Awaitable[T]], *, as_json: bool = False) -> T:
    """Run `work` in one transaction: committed if it returns, rolled back on CliError."""
    settings = load_settings()

    async def _go() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session, settings)
        finally:
            await engine.dispose()

    try:
        return run(_go())
    except CliError as exc:
        fail(str(exc), as_json=as_json)
    except (DBAPIError, OSError) as exc:
        fail(database_problem(exc), as_json=as_json)


def database_problem(exc: BaseException) -> str:
    """One line saying what went wrong with the database, without a traceback or credentials."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if "no such table" in first or ("relation" in first and "does not exist" in first):
        return f"数据库尚未初始化，请先运行 studio-bot init / database not initialised; run `studio-bot init` ({first})"
    return f"数据库错误 / database error: {first}"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous CLI code."""
    return asyncio.run(coro)
