"""End of a management cycle (第十条): the association records 表彰 / 保留 / 不再保留, a reason where it departs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update

from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.decisions.reason import MAX_REASON, parse_reason
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, Step, SubmitRefused, Values
from handlers.engine.router import Router
from handlers.lifecycle import notify, verdict_advice
from handlers.lifecycle.stages import set_studio_status
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Cycle, CycleResult, RoleKind, Studio, StudioStatus
from storage.repos import studio_cycles

router = Router(__name__)

OPENS_DAYS = 180  # a verdict may be recorded once the cycle's end is this near (the first reminder's distance)


async def due(ctx: Context) -> list[tuple[Studio, Cycle]]:
    """Named studios whose current cycle is unassessed and ends within OPENS_DAYS (or has ended), soonest first.

    Each verdict opens the next cycle, so a studio has at most one unassessed cycle: its current one.
    """
    rows = await ctx.session.execute(
        select(Studio, Cycle)
        .join(Cycle, Cycle.studio_id == Studio.id)
        .where(Studio.status == StudioStatus.NAMED, Cycle.result.is_(None))
        .where(Cycle.ends_on <= ctx.today + timedelta(days=OPENS_DAYS))
        .order_by(Cycle.ends_on, Studio.id)
    )
    return [(studio, cycle) for studio, cycle in rows.all()]


async def cycle_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The cycles due for a verdict, by studio (the value is the cycle: a verdict never lands on the next one)."""
    return [
        Choice(cycle.id, ctx.t("lifecycle.studio_choice", studio=studio.name, number=cycle.number, ends=cycle.ends_on))
        for studio, cycle in await due(ctx)
    ]


async def result_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """表彰 / 保留 / 不再保留, the one the figures and the experts' scores point to marked as suggested."""
    found = await _cycle(ctx, values)
    advice = await verdict_advice.advise(ctx, *found) if found else None
    return [
        Choice(
            r.value,
            ctx.t(f"lifecycle.result.{r.value}")
            + (ctx.t("committee.verdict.suggested") if advice and r in advice.fits else ""),
        )
        for r in CycleResult
    ]


async def _cycle(ctx: Context, values: Values) -> tuple[Studio, Cycle] | None:
    cycle = await ctx.session.get(Cycle, int(values["cycle"])) if values.get("cycle") is not None else None
    studio = await ctx.session.get(Studio, cycle.studio_id) if cycle else None
    return (studio, cycle) if studio and cycle else None


async def prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Only the association's reviewers; only when a studio is due."""
    if await checks.check(ctx, Action.ASSESS_CYCLE) is None:
        return [Reply(text=checks.refusal(ctx, Action.ASSESS_CYCLE))]
    if not await due(ctx):
        return [Reply(text=ctx.t("lifecycle.none_due", days=OPENS_DAYS))]
    return None


@router.command(
    "verdict", "考核结论", "周期考核", help_key="lifecycle.help", order=70, roles=frozenset({RoleKind.ASSOCIATION})
)
async def verdict_command(ctx: Context, args: str) -> list[Reply]:
    """Record the end-of-cycle result of a studio, with each due cycle's figures and expert scores beside it."""
    started = await start_flow(ctx, "verdict")
    if await checks.check(ctx, Action.ASSESS_CYCLE) is None or not await due(ctx):
        return started
    lines = [ctx.t("committee.verdict.brief_title")]
    lines += [await verdict_advice.brief(ctx, studio, cycle) for studio, cycle in await due(ctx)]
    return [Reply(text="\n".join(lines)), *started]


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Close the cycle with its result: 表彰/保留 open the next cycle, 不再保留 removes the title."""
    assert ctx.person is not None
    if await checks.check(ctx, Action.ASSESS_CYCLE) is None:
        return [Reply(text=checks.refusal(ctx, Action.ASSESS_CYCLE))]
    cycle = await ctx.session.get(Cycle, int(values["cycle"]))
    studio = await ctx.session.get(Studio, cycle.studio_id) if cycle else None
    if studio is None or cycle is None:
        return [Reply(text=ctx.t("lifecycle.gone"))]
    result, reason = CycleResult(values["result"]), str(values.get("reason") or "")
    advice = await verdict_advice.advise(ctx, studio, cycle)
    if result not in advice.fits and not reason:  # departing from the figures and the experts needs a reason
        raise SubmitRefused([Reply(text=verdict_advice.reason_needed(ctx, advice, result))])
    done = await ctx.session.execute(
        update(Cycle)
        .where(Cycle.id == cycle.id, Cycle.result.is_(None))
        .values(result=result, reason=reason or None, assessed_at=ctx.now, assessed_by_id=ctx.person.id)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(done, "rowcount", 0) != 1 or studio.status is not StudioStatus.NAMED:
        return [
            Reply(
                text=ctx.t("lifecycle.already", studio=studio.name, number=cycle.number)
                + ("\n" + ctx.t("reviews.reason_unused", reason=reason) if reason else "")
            )
        ]
    await ctx.audit(
        object_type="cycle",
        object_id=cycle.id,
        from_state="open",
        to_state=result.value,
        reason=reason or None,
        studio_id=studio.id,
        detail={"number": cycle.number, **advice.detail},
    )
    following = None
    if result is CycleResult.NOT_RETAINED:
        await set_studio_status(ctx, studio, StudioStatus.NOT_RETAINED, reason or None)
    else:
        following = await studio_cycles.start_cycle(
            session=ctx.session, studio=studio, starts_on=cycle.ends_on + timedelta(days=1)
        )
        await ctx.audit(
            object_type="cycle",
            object_id=following.id,
            to_state="open",
            studio_id=studio.id,
            detail={
                "number": following.number,
                "starts_on": following.starts_on.isoformat(),
                "ends_on": following.ends_on.isoformat(),
            },
        )

    def message(t: Translator) -> Reply:
        text = t(
            f"lifecycle.told.{result.value}",
            studio=studio.name,
            number=cycle.number,
            reason=reason or t("committee.verdict.as_advised"),
            starts=following.starts_on if following else "",
            ends=following.ends_on if following else "",
        )
        return Reply(text=text)

    told = await audience.studio_people(ctx, studio) + [p for p, _ in await audience.studio_reviewers(ctx, studio)]
    await notify.send(ctx, told, f"cy:{cycle.id}", message)
    return [Reply(text=message(ctx.t).text, outcome_of_press=True)]


VERDICT = router.flow(
    Flow(
        name="verdict",
        title="lifecycle.title",
        steps=(
            Step("cycle", "lifecycle.ask.studio", "lifecycle.label.studio", choices=cycle_choices),
            Step("result", "lifecycle.ask.result", "lifecycle.label.result", choices=result_choices),
            # asked always, needed only where the verdict departs from the figures and the experts' scores
            Step(
                "reason",
                "lifecycle.ask.reason",
                "lifecycle.label.reason",
                parse=parse_reason,
                optional=True,
                limit=MAX_REASON,
            ),
        ),
        submit=submit,
        prepare=prepare,
    )
)
