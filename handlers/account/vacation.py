"""休假 / vacation pauses a person's reminders; 委托 / delegate names a reviewer's stand-in meanwhile."""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.core.i18n import Translator
from handlers.core.parsing import parse_date
from handlers.core.presses import GoPress
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from storage.models import DECIDING_ROLES, Person
from storage.repos import delegations

router = Router(__name__)

MAX_DAYS = 366
_OFF = {"取消", "结束", "停止", "收回", "off", "cancel", "end", "stop", "none"}
_LEAD_IN = re.compile(r"^(至|到|直到|until|till|to)\s*", re.IGNORECASE)
_DAYS = re.compile(r"^(\d{1,3})\s*(天|日|days?|d)?$", re.IGNORECASE)
_NO_YEAR = re.compile(r"^\d{1,2}\s*[-/.月]")


def parse_until(text: str, today: date) -> date | None:
    """The last day of a period: 8月10日, 2026-08-10, 到8月10日, 7天, 7 days; None if not one."""
    value = _LEAD_IN.sub("", text.strip())
    days = _DAYS.match(value)
    if days:
        count = int(days.group(1))
        return today + timedelta(days=count - 1) if count > 0 else None
    found = parse_date(value, today=today)
    if found is not None and found < today and _NO_YEAR.match(value):
        try:  # "1月5日" typed in December means next January
            found = found.replace(year=found.year + 1)
        except ValueError:
            return None
    return found


def _check_period(ctx: Context, text: str) -> date | str:
    """The end day, or the message that explains why the text is not a usable one."""
    until = parse_until(text, ctx.today)
    if until is None:
        return ctx.t("vacation.bad_date", text=text)
    if until < ctx.today:
        return ctx.t("vacation.past", until=until.isoformat())
    if until > ctx.today + timedelta(days=MAX_DAYS):
        return ctx.t("vacation.too_long")
    return until


@router.command("vacation", "休假", help_key="vacation.help", order=700)
async def vacation(ctx: Context, args: str) -> list[Reply]:
    """Pause reminders until a day (休假 8月10日 / 休假 7天), or end the pause (休假 取消)."""
    person = ctx.person
    assert person is not None
    paused = person.reminders_paused_until
    if not args:
        status = (
            ctx.t("vacation.status_on", until=paused.isoformat())
            if paused and paused >= ctx.today
            else ctx.t("vacation.status_off")
        )
        return [Reply(text=f"{status}\n{ctx.t('vacation.usage')}")]
    if args.strip().lower() in _OFF:
        if not (paused and paused >= ctx.today):
            return [Reply(text=ctx.t("vacation.status_off"))]  # nothing to end: no audit row either
        person.reminders_paused_until = None
        await ctx.audit(object_type="person", object_id=person.id, from_state="paused", to_state="active")
        return [Reply(text=ctx.t("vacation.ended"))]
    until = _check_period(ctx, args)
    if isinstance(until, str):
        return [Reply(text=f"{until}\n{ctx.t('vacation.usage')}")]
    person.reminders_paused_until = until
    await ctx.audit(object_type="person", object_id=person.id, to_state="paused", detail={"until": until.isoformat()})
    lines = [ctx.t("vacation.done", until=until.isoformat())]
    if any(ctx.has_role(kind) for kind in DECIDING_ROLES) and not await delegations.current(
        session=ctx.session, reviewer_id=person.id, today=ctx.today
    ):
        lines.append(ctx.t("vacation.reviewer_hint"))
    return [Reply(text="\n".join(lines))]


@router.command("delegate", "委托", help_key="delegate.help", order=710, roles=DECIDING_ROLES)
async def delegate(ctx: Context, args: str) -> list[Reply]:
    """Name a stand-in for one's reviews (委托 姓名 8月10日), or take it back (委托 取消)."""
    person = ctx.person
    assert person is not None
    if not any(ctx.has_role(kind) for kind in DECIDING_ROLES):
        return [Reply(text=ctx.t("delegate.reviewers_only"))]
    if not args:
        return [Reply(text=await _current(ctx, person))]
    if args.strip().lower() in _OFF:
        return await _revoke(ctx, person)
    name, _, period = args.strip().partition(" ")
    candidates = await delegations.eligible_delegates(session=ctx.session, reviewer_id=person.id, name=name)
    if name == person.name and not candidates:
        return [Reply(text=ctx.t("delegate.self"))]
    if not candidates:
        return [Reply(text=f"{ctx.t('delegate.no_such', name=name)}\n{ctx.t('delegate.usage')}")]
    if len(candidates) > 1:
        return [Reply(text=ctx.t("delegate.ambiguous", name=name, count=len(candidates)))]
    paused = person.reminders_paused_until
    if period.strip():
        until = _check_period(ctx, period)
    elif paused is not None and paused >= ctx.today:
        until = paused  # the stand-in covers the holiday just declared
    else:
        until = ctx.t("delegate.need_date", name=name)
    if isinstance(until, str):
        return [Reply(text=until)]
    stand_in = candidates[0]
    await _end(ctx, person, staying=stand_in.id)  # a stand-in replaced by another is told, like a revoked one
    row = await delegations.delegate(
        session=ctx.session, reviewer_id=person.id, delegate_id=stand_in.id, starts_on=ctx.today, ends_on=until
    )
    await ctx.audit(object_type="delegation", object_id=row.id, to_state="active", detail={"delegate": stand_in.id})

    def tell(t: Translator) -> Reply:
        button = ctx.button(t("delegate.button_pending"), GoPress("pending"))
        return Reply(text=t("delegate.notice", reviewer=person.name, ends=until.isoformat()), buttons=((button,),))

    await ctx.notify(stand_in, tell, key=f"delegation:{row.id}")
    return [Reply(text=ctx.t("delegate.done", name=stand_in.name, ends=until.isoformat()))]


async def _current(ctx: Context, person: Person) -> str:
    rows = await delegations.current(session=ctx.session, reviewer_id=person.id, today=ctx.today)
    lines = [
        ctx.t("delegate.current", name=p.name, starts=d.starts_on.isoformat(), ends=d.ends_on.isoformat())
        for d, p in rows
    ] or [ctx.t("delegate.none")]
    return "\n".join([*lines, ctx.t("delegate.usage")])


async def _revoke(ctx: Context, person: Person) -> list[Reply]:
    ended = await _end(ctx, person)
    return [Reply(text=ctx.t("delegate.revoked" if ended else "delegate.none"))]


async def _end(ctx: Context, person: Person, *, staying: int | None = None) -> int:
    """End the reviewer's delegations in force, audited; tell each stand-in but `staying`; how many ended."""
    rows = await delegations.current(session=ctx.session, reviewer_id=person.id, today=ctx.today)
    await delegations.revoke(session=ctx.session, reviewer_id=person.id, today=ctx.today, now=ctx.now)
    for d, stand_in in rows:
        await ctx.audit(object_type="delegation", object_id=d.id, from_state="active", to_state="revoked")
        if stand_in.id != staying:
            await ctx.notify(
                stand_in,
                lambda t: Reply(text=t("delegate.notice_revoked", reviewer=person.name)),
                key=f"delegation:{d.id}:revoked",
            )
    return len(rows)
