"""What every command shares: the Typer app, one-line errors, JSON output, a unit of work."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from typer.core import TyperGroup
from typer.exceptions import TyperException

from bot.settings import ConfigurationError, Settings, load_settings
from handlers.core.parsing import parse_date
from storage.database import create_engine, session_factory
from storage.names import name_problem

T = TypeVar("T")

_WANTS_JSON = "studio_bot.wants_json"


class JsonAwareGroup(TyperGroup):
    """The top-level group: when the command line has --json, usage and configuration errors print JSON too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Note whether --json was asked for (before any `--`), then parse as usual."""
        options = args[: args.index("--")] if "--" in args else args
        ctx.meta[_WANTS_JSON] = "--json" in options
        with _json_errors(ctx):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """Run the command; errors raised before it runs get their JSON object, and the usual stderr text."""
        with _json_errors(ctx):
            return super().invoke(ctx)


@contextmanager
def _json_errors(ctx: Any) -> Iterator[None]:
    try:
        yield
    except TyperException as exc:  # typer's usage errors (bad option, missing argument) derive from it
        format_message = getattr(exc, "format_message", None)
        if ctx.meta.get(_WANTS_JSON) and format_message is not None:
            print_json_error(f"用法错误 / usage error: {' '.join(format_message().split())}")
        raise
    except ConfigurationError as exc:
        if ctx.meta.get(_WANTS_JSON):
            print_json_error(f"配置错误 / configuration error: {exc.message}")
        raise


app = typer.Typer(
    name="studio-bot",
    cls=JsonAwareGroup,
    help="技师创新工作室台账机器人 / Ledger bot for Shanghai's technician innovation studios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout.")


class CliError(Exception):
    """A user mistake: printed as one line, exit code 2, nothing written."""


def print_json_error(message: str) -> None:
    """The JSON object of a failed command, on stdout."""
    print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    """Print one error line (and a JSON object when asked) and exit with code 2."""
    if as_json:
        print_json_error(message)
    print(f"错误 / error: {message}", file=sys.stderr)
    raise typer.Exit(code=2)


def emit(result: dict[str, Any], text: str, *, as_json: bool) -> None:
    """Print the result as one JSON object or as a human line."""
    if as_json:
        print(json.dumps({"ok": True, **result}, ensure_ascii=False, default=str))
    else:
        print(text)


def cli_today(settings: Settings | None = None) -> date:
    """Today in the configured TIMEZONE (not the machine's), as the chat side counts days."""
    return datetime.now((settings or load_settings()).tz).date()


# Dates the ledger holds: the studios began in the 2000s, and planning far ahead overflows date arithmetic.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def out_of_range(value: str, day: date, *, what: str, as_json: bool) -> None:
    """Fail cleanly for a date outside EARLIEST..LATEST."""
    if not EARLIEST <= day <= LATEST:
        fail(
            f"{what}: {value!r} 不在 {EARLIEST.year}–{LATEST.year} 年之间"
            f" / is not between {EARLIEST.year} and {LATEST.year}",
            as_json=as_json,
        )


def cli_name(value: str, limit: int, *, as_json: bool) -> str:
    """A name option stripped and checked against its one limit (storage.names), or a clean failure."""
    name = value.strip()
    problem = name_problem(name, limit)
    if problem == "empty":
        fail("名称不能为空 / the name is empty", as_json=as_json)
    if problem == "too_long":
        fail(f"名称超过 {limit} 个字 / the name is longer than {limit} characters", as_json=as_json)
    if problem == "control":
        fail("名称里有换行或控制字符 / the name holds a line break or a control character", as_json=as_json)
    return name


def cli_date(value: str | None, *, what: str, as_json: bool, today: date | None = None) -> date | None:
    """A date option parsed like chat input (2026-03-05, 2026年3月5日, 今天, …), or a clean failure.

    今天 and a month-day without a year count from `today`, by default today in the configured time zone.
    """
    if value is None:
        return None
    parsed = parse_date(value, today=today or cli_today())
    if parsed is None:
        fail(f"{what}: 无法识别的日期 / not a date: {value!r}", as_json=as_json)
    out_of_range(value, parsed, what=what, as_json=as_json)
    return parsed


def run_in_session(work: Callable[[AsyncSession, Settings], Awaitable[T]], *, as_json: bool = False) -> T:
    """Run `work` in one transaction: committed if it returns, rolled back on CliError."""
    settings = load_settings()

    async def _go() -> T:
        engine = create_engine(settings.database_url, sqlite_fast_path=settings.sqlite_fast_path)
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


def file_problem(path: Path, exc: BaseException) -> str:
    """One line saying that a file could not be written, and why (xlsxwriter wraps the OSError)."""
    cause = exc.args[0] if not isinstance(exc, OSError) and exc.args and isinstance(exc.args[0], OSError) else exc
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause) or type(cause).__name__
    return f"无法写入文件 / cannot write the file: {path} ({reason})"


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
