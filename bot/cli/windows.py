"""`studio-bot window set YEAR --from DATE --to DATE` and `window list`: the association's application windows."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, cli_date, cli_today, emit, run_in_session
from bot.settings import Settings
from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator
from handlers.lifecycle import window
from storage.base import utcnow

window_app = typer.Typer(help="申报期 / the yearly application windows", no_args_is_help=True)
app.add_typer(window_app, name="window")


@window_app.command("set")
def window_set(
    year: Annotated[int, typer.Argument(help="年度 / the year of the batch")],
    opens: Annotated[str, typer.Option("--from", help="开始日期 / first day")],
    closes: Annotated[str, typer.Option("--to", help="结束日期 / last day")],
    as_json: bool = JsonOption,
) -> None:
    """Set a year's application window (audited); years not set keep APPLICATION_WINDOW."""
    first = cli_date(opens, what="--from", as_json=as_json, today=cli_today())
    last = cli_date(closes, what="--to", as_json=as_json, today=cli_today())
    assert first is not None and last is not None

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        wrong = await window.set_year(
            session, year=year, opens_on=first, closes_on=last, actor_id=None, channel="cli", now=utcnow()
        )
        if wrong is not None:
            zh, en = Translator("zh_CN")(wrong), Translator("en")(wrong)
            raise CliError(f"{zh} / {en}")
        return {"year": year, "opens_on": first.isoformat(), "closes_on": last.isoformat()}

    result = run_in_session(work, as_json=as_json)
    emit(result, f"{result['year']}: {result['opens_on']} – {result['closes_on']}", as_json=as_json)


@window_app.command("list")
def window_list(as_json: bool = JsonOption) -> None:
    """Every year's window that was set, and the default for the years that were not."""

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        found = await window.load(session, HandlerConfig.from_object(settings))
        years = [
            {"year": y, "opens_on": a.isoformat(), "closes_on": b.isoformat()}
            for y, (a, b) in sorted(found.set_years.items())
        ]
        return {"windows": years, "default": settings.application_window}

    result = run_in_session(work, as_json=as_json)
    lines = [f"{w['year']}: {w['opens_on']} – {w['closes_on']}" for w in result["windows"]]
    lines.append(f"其他年度 / other years: {result['default']} (APPLICATION_WINDOW)")
    emit(result, "\n".join(lines), as_json=as_json)
