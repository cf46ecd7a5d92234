"""The year as a batch in chat: 年度申报 (the ranking), 批量命名 (naming several at once), 命名名单 (the list)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.core.presses import GoPress
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import moves, ranking, stages
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import ApplicationStage, RoleKind
from storage.repos import naming

router = Router(__name__)

ASSOCIATION = frozenset({RoleKind.ASSOCIATION})
_YEAR = re.compile(r"^\s*(\d{4})\s*年?\s*(?:度)?\s*$")


def _year(ctx: Context, args: str) -> int | None:
    """The year named in the arguments (this year when none); None when they name no year."""
    if not args.strip():
        return ctx.today.year
    found = _YEAR.match(args)
    return int(found.group(1)) if found else None


@router.command("applications", "年度申报", help_key="batch.help.applications", order=53, roles=ASSOCIATION)
async def applications_command(ctx: Context, args: str) -> list[Reply]:
    """The year's applications side by side, ranked by the experts' average (择优)."""
    if await checks.check(ctx, Action.ASSOCIATION_REVIEW) is None:
        return [Reply(text=ctx.t("batch.refused.year"))]
    year = _year(ctx, args)
    if year is None:
        return [Reply(text=ctx.t("batch.year.usage"))]
    rows = await ranking.year_rows(ctx, year)
    if not rows:
        return [Reply(text=ctx.t("batch.year.none", year=year))]
    lines = [ctx.t("batch.year.title", year=year, count=len(rows))]
    lines += [ranking.line(ctx.t, row) for row in rows]
    nameable = sum(1 for row in rows if row.nameable)
    if not nameable:
        return [Reply(text="\n".join(lines))]
    lines.append(ctx.t("batch.year.nameable", count=nameable))
    button = ctx.button(ctx.t("batch.button.name_batch"), GoPress("name_batch"))
    return [Reply(text="\n".join(lines), buttons=((button,),))]


async def _nameable(ctx: Context, values: Values) -> list[ranking.Row]:
    return [row for row in await ranking.year_rows(ctx, int(values["year"])) if row.nameable]


async def prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Only the association; only when some application of the year may be named now."""
    if await checks.check(ctx, Action.NAME) is None:
        return [Reply(text=checks.refusal(ctx, Action.NAME))]
    values.setdefault("year", ctx.today.year)
    if not await _nameable(ctx, values):
        return [Reply(text=ctx.t("batch.name.none", year=values["year"]))]
    return None


async def choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The applications that may be named, in ranking order."""
    return [
        Choice(
            row.app.id,
            ctx.t(
                "batch.name.choice",
                rank=row.rank if row.rank is not None else "-",
                studio=row.studio.name,
                average=row.average if row.average is not None else "-",
            ),
        )
        for row in await _nameable(ctx, values)
    ]


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Name each chosen application of the batch."""
    chosen = [int(v) for v in values.get("apps") or []]
    return [Reply(text=(await name_applications(ctx, int(values["year"]), chosen))[0])]


async def name_applications(ctx: Context, year: int, chosen: list[int]) -> tuple[str, bool]:
    """Name each chosen application (every check again), one batch decision on record, each studio told.

    What to tell the association, and whether any was named; chat's flow and the web console share it.
    """
    if await checks.check(ctx, Action.NAME) is None:
        return checks.refusal(ctx, Action.NAME), False
    move = moves.find("name", ApplicationStage.PUBLIC_NOTICE)
    assert move is not None
    named: list[int] = []
    refused: list[str] = []
    for app_id in chosen:
        reply, landed = await stages.advance(ctx, app_id, move)
        if landed:
            named.append(app_id)
        else:
            refused.append(ctx.t("batch.name.not_named", number=app_id, why=reply.text))
    if named:
        await ctx.audit(object_type="batch", object_id=year, to_state="named", detail={"applications": named})
    listed = {row.application_id: row for row in await naming.naming_list(ctx.session, year)}
    lines = [ctx.t("batch.name.done", year=year, count=len(named))]
    lines += [
        ctx.t("batch.name.done_line", sequence=listed[i].sequence, studio=listed[i].studio_name)
        for i in named
        if i in listed
    ]
    return "\n".join(lines + refused), bool(named)


NAME_BATCH = router.flow(
    Flow(
        name="name_batch",
        title="batch.name.title",
        steps=(Step("apps", "batch.name.ask", "batch.name.label", choices=choices, multi=True, closed=True),),
        submit=submit,
        prepare=prepare,
    )
)


@router.command("name_batch", "批量命名", help_key="batch.help.name_batch", order=54, roles=ASSOCIATION)
async def name_batch_command(ctx: Context, args: str) -> list[Reply]:
    """Name several applications of the year at once, picked from the ranking."""
    year = _year(ctx, args)
    if year is None:
        return [Reply(text=ctx.t("batch.year.usage"))]
    return await start_flow(ctx, "name_batch", {"year": year})


@router.command("named", "命名名单", help_key="batch.help.named", order=55)
async def named_command(ctx: Context, args: str) -> list[Reply]:
    """The naming list of a year (the newest year with one, when none is named)."""
    year = _year(ctx, args) if args.strip() else None
    if args.strip() and year is None:
        return [Reply(text=ctx.t("batch.year.usage"))]
    if year is None:
        years = await naming.named_years(ctx.session)
        year = years[0] if years else ctx.today.year
    rows = await naming.naming_list(ctx.session, year)
    if not rows:
        return [Reply(text=ctx.t("batch.named.none", year=year))]
    lines = [ctx.t("batch.named.title", year=year, count=len(rows))]
    for row in rows:
        lines.append(
            ctx.t(
                "batch.named.line",
                sequence=row.sequence,
                studio=row.studio_name,
                enterprise=row.enterprise or "-",
                lead=row.lead_name or "-",
                union=row.union_name or "-",
                named_on=row.named_on,
            )
        )
    return [Reply(text="\n".join(lines))]
