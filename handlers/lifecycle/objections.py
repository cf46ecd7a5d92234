"""Resolving an objection raised during the public notice: 异议成立 stops the naming, 异议不成立 lets it go on."""

from __future__ import annotations

from handlers.core.i18n import Translator
from handlers.core.presses import ObjectionAction, ObjectionPress
from handlers.core.types import Button, Reply
from handlers.decisions.reason import ask_reason, busy, reason_handler, told
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Values
from handlers.engine.router import Router
from handlers.lifecycle import moves, notify, stages
from handlers.reviews.cards import when
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Application, ApplicationStage, Objection, ObjectionStatus, Person, Studio
from storage.repos import applications

router = Router(__name__)

VERDICTS = {ObjectionAction.UPHOLD: ObjectionStatus.UPHELD, ObjectionAction.DISMISS: ObjectionStatus.DISMISSED}


def resolve_row(ctx: Context, t: Translator, objection: Objection) -> tuple[Button, ...]:
    """异议成立 / 异议不成立."""
    return tuple(ctx.button(t(f"application.button.objection_{k}"), ObjectionPress(k, objection.id)) for k in VERDICTS)


@router.button(ObjectionPress)
async def objection_button(ctx: Context, press: ObjectionPress) -> list[Reply]:
    """Start an objection to an application; open or resolve (uphold, dismiss) an objection."""
    key, target = press.action, press.target
    if key is ObjectionAction.NEW:
        refusal = await busy(ctx)
        return [refusal] if refusal else await start_flow(ctx, "objection", {"application": target})
    found = await resolvable(ctx, target)
    if isinstance(found, str):
        return [Reply(text=found, outcome_of_press=key in VERDICTS)]
    objection, studio = found
    if key is ObjectionAction.OPEN:
        text = ctx.t("application.objection.card", number=objection.id, studio=studio.name, text=objection.text)
        return [Reply(text=text, buttons=(resolve_row(ctx, ctx.t, objection),))]
    if key not in VERDICTS:
        return [Reply(text=ctx.t("engine.bad_button"))]
    what = ctx.t(f"application.objection.asking.{key}", number=objection.id, studio=studio.name)
    return await ask_reason(ctx, "objection", what, objection=objection.id, verdict=key.value)


async def resolvable(ctx: Context, objection_id: int) -> tuple[Objection, Studio] | str:
    """The open objection and its studio if the speaker may resolve it; else why not."""
    objection = await applications.fresh_objection(session=ctx.session, objection_id=objection_id)
    app = await ctx.session.get(Application, objection.application_id) if objection else None
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    if objection is None or studio is None:
        return ctx.t("application.gone")
    if await checks.check(ctx, Action.RESOLVE_OBJECTION, studio=studio) is None:
        return checks.refusal(ctx, Action.RESOLVE_OBJECTION)
    if objection.status is not ObjectionStatus.OPEN:
        return await resolved_by(ctx, objection)
    return objection, studio


async def resolved_by(ctx: Context, objection: Objection) -> str:
    """ "已由 李四 于 … 认定异议不成立"."""
    resolver = await ctx.session.get(Person, objection.resolved_by_id) if objection.resolved_by_id else None
    moment = when(ctx.t, objection.resolved_at, ctx.config.tz) if objection.resolved_at else "?"
    verdict = ctx.t(f"application.objection.status.{objection.status.value}")
    return ctx.t("reviews.already", name=resolver.name if resolver else "?", when=moment, decision=verdict)


@reason_handler(router, "objection")
async def objection_reason(ctx: Context, values: Values, reason: str) -> list[Reply]:
    """Uphold or dismiss with the reason given; an upheld objection stops the naming."""
    assert ctx.person is not None
    found = await resolvable(ctx, int(values["objection"]))
    if isinstance(found, str):
        return [told(ctx, found, reason)]
    objection, studio = found
    status = VERDICTS[ObjectionAction(str(values["verdict"]))]
    if not await applications.resolve_objection(
        session=ctx.session,
        objection_id=objection.id,
        status=status,
        resolver_id=ctx.person.id,
        resolution=reason,
        now=ctx.now,
    ):
        fresh = await applications.fresh_objection(session=ctx.session, objection_id=objection.id)
        return [Reply(text=await resolved_by(ctx, fresh or objection), outcome_of_press=True)]
    await ctx.audit(
        object_type="objection",
        object_id=objection.id,
        from_state=ObjectionStatus.OPEN.value,
        to_state=status.value,
        reason=reason,
        studio_id=studio.id,
        detail={"application": objection.application_id},
    )
    raiser = await ctx.session.get(Person, objection.raised_by_id)

    def message(t: Translator) -> Reply:
        return Reply(text=t(f"application.objection.told.{status.value}", studio=studio.name, reason=reason))

    await notify.send(ctx, [raiser] if raiser else [], f"ob:done:{objection.id}", message)
    replies = [
        Reply(
            text=ctx.t(f"application.objection.done.{status.value}", number=objection.id, studio=studio.name),
            outcome_of_press=True,
        )
    ]
    if status is ObjectionStatus.UPHELD:
        reject = moves.find("rej", ApplicationStage.PUBLIC_NOTICE)
        assert reject is not None
        why = ctx.t("application.objection.upheld_reason", reason=reason)
        reply, _ = await stages.advance(ctx, objection.application_id, reject, why)
        replies.append(reply)
    return replies
