"""申报期 in chat: everybody reads this year's and next year's windows; the association sets a year's."""

from __future__ import annotations

import re

from handlers.core.parsing import parse_date
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import window
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import RoleKind

router = Router(__name__)

# 申报期 2027 2027-03-01 2027-04-30 (至, 到, ~ and dashes between the days are read as spaces)
_SET = re.compile(r"^\s*(\d{4})\s*年?\s+(\S+?)\s*(?:\s|至|到|~|～|—|－)+\s*(\S+)\s*$")


@router.command(
    "window",
    "申报期",
    help_key="batch.help.window",
    order=52,
    roles=frozenset({RoleKind.LEAD, RoleKind.REVIEWER, RoleKind.ASSOCIATION, RoleKind.ENTERPRISE}),
)
async def window_command(ctx: Context, args: str) -> list[Reply]:
    """Show the application windows, or (the association) set a year's."""
    if args.strip():
        return [await _set(ctx, args)]
    windows = await window.load(ctx.session, ctx.config)
    lines = [ctx.t("batch.window.title")]
    for year in (ctx.today.year, ctx.today.year + 1):
        opens, closes = windows.of_year(year)
        state = "open" if opens <= ctx.today <= closes else ("closed" if closes < ctx.today else "ahead")
        source = "set" if year in windows.set_years else "default"
        lines.append(
            ctx.t(
                "batch.window.line",
                year=year,
                opens=opens,
                closes=closes,
                state=ctx.t(f"batch.window.state.{state}"),
                source=ctx.t(f"batch.window.source.{source}"),
            )
        )
    if await checks.check(ctx, Action.SET_WINDOW) is not None:
        lines.append(ctx.t("batch.window.how_to_set", year=ctx.today.year + 1))
    return [Reply(text="\n".join(lines))]


async def _set(ctx: Context, args: str) -> Reply:
    if await checks.check(ctx, Action.SET_WINDOW) is None:
        return Reply(text=checks.refusal(ctx, Action.SET_WINDOW))
    found = _SET.match(args)
    opens = parse_date(found.group(2), today=ctx.today) if found else None
    closes = parse_date(found.group(3), today=ctx.today) if found else None
    if found is None or opens is None or closes is None:
        return Reply(text=ctx.t("batch.window.usage", year=ctx.today.year + 1))
    year = int(found.group(1))
    assert ctx.person is not None
    wrong = await window.set_year(
        ctx.session,
        year=year,
        opens_on=opens,
        closes_on=closes,
        actor_id=ctx.person.id,
        channel=ctx.channel,
        now=ctx.now,
    )
    if wrong is not None:
        return Reply(text=f"{ctx.t(wrong)}\n{ctx.t('batch.window.usage', year=ctx.today.year + 1)}")
    return Reply(text=ctx.t("batch.window.done", year=year, opens=opens, closes=closes))
