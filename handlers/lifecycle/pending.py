"""What of the studio's life waits in a person's 待审 list: applications at their stage, objections."""

from __future__ import annotations

from handlers.context import Context
from handlers.lifecycle import moves, render
from handlers.permissions import Action, Subject, decide, target_of
from handlers.reviews.pending import Item, pending_source
from storage.models import Application, ApplicationStage, Studio
from storage.repos import applications

S = ApplicationStage


async def _waits_for(ctx: Context, subject: Subject, app: Application, studio: Studio) -> bool:
    target = await target_of(ctx.session, studio)
    if app.stage is S.REVIEWED:
        if decide(subject, Action.SCORE, target) is None or subject.person_id is None:
            return False
        mine = await applications.score_by(session=ctx.session, application_id=app.id, expert_id=subject.person_id)
        return mine is None
    if app.stage is S.PUBLIC_NOTICE and (app.notice_ends_on is None or ctx.today <= app.notice_ends_on):
        return False  # nothing to do until the notice ends
    return any(decide(subject, m.permission, target) for m in moves.MOVES if m.at is app.stage and m.button)


@pending_source("application.pending.section")
async def application_items(ctx: Context, subject: Subject) -> list[Item]:
    """Applications waiting at a stage this person decides (or scores)."""
    items = []
    for app, studio in await applications.in_stages(session=ctx.session, stages=applications.OPEN_STAGES):
        if await _waits_for(ctx, subject, app, studio):
            line = ctx.t(
                "application.pending.line", number=app.id, studio=studio.name, stage=render.stage(ctx.t, app.stage)
            )
            items.append(Item(app.stage_changed_at, line, studio.name[:12], "ap", ("open", app.id)))
    return items


@pending_source("application.pending.objections")
async def objection_items(ctx: Context, subject: Subject) -> list[Item]:
    """Objections this person may resolve."""
    items = []
    for objection in await applications.open_objections(session=ctx.session):
        app = await ctx.session.get(Application, objection.application_id)
        studio = await ctx.session.get(Studio, app.studio_id) if app else None
        if studio is None or decide(subject, Action.RESOLVE_OBJECTION, await target_of(ctx.session, studio)) is None:
            continue
        line = ctx.t("application.pending.objection", number=objection.id, studio=studio.name, text=objection.text[:30])
        items.append(Item(objection.created_at, line, studio.name[:12], "ob", ("open", objection.id)))
    return items
