"""What of the studio's life waits in a person's 待审 list: applications at their stage, objections.

Each source reads with a fixed number of statements, however many applications and objections are open.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.lifecycle import moves, render
from handlers.permissions import Action, Subject, Target, decide, target_from
from handlers.reviews.pending import Item, pending_source
from storage.models import Application, ApplicationStage, ExpertScore, RoleKind, Studio
from storage.repos import applications, org

S = ApplicationStage


async def _scored_by(session: AsyncSession, expert_id: int | None, application_ids: Collection[int]) -> set[int]:
    """Which of these applications the expert has already scored."""
    if expert_id is None or not application_ids:
        return set()
    query = select(ExpertScore.application_id).where(
        ExpertScore.expert_id == expert_id, ExpertScore.application_id.in_(list(application_ids))
    )
    return set(await session.scalars(query))


def _waits_for(ctx: Context, subject: Subject, app: Application, target: Target, scored: set[int]) -> bool:
    if app.stage is S.REVIEWED:
        if decide(subject, Action.SCORE, target) is None or subject.person_id is None:
            return False
        return app.id not in scored
    if app.stage is S.PUBLIC_NOTICE and (app.notice_ends_on is None or ctx.today <= app.notice_ends_on):
        return False  # nothing to do until the notice ends
    return any(decide(subject, m.permission, target) for m in moves.MOVES if m.at is app.stage and m.button)


@pending_source("application.pending.section")
async def application_items(ctx: Context, subject: Subject) -> list[Item]:
    """Applications waiting at a stage this person decides (or scores)."""
    rows = await applications.in_stages(session=ctx.session, stages=applications.OPEN_STAGES)
    chains = await org.union_chains(session=ctx.session, union_ids={studio.union_id for _, studio in rows})
    in_review = [app.id for app, _ in rows if app.stage is S.REVIEWED]
    expert = any(g.kind is RoleKind.EXPERT for g in subject.grants)
    scored = await _scored_by(ctx.session, subject.person_id, in_review) if expert else set()
    items = []
    for app, studio in rows:
        if _waits_for(ctx, subject, app, target_from(studio, chains.get(studio.union_id, [])), scored):
            line = ctx.t(
                "application.pending.line", number=app.id, studio=studio.name, stage=render.stage(ctx.t, app.stage)
            )
            items.append(Item(app.stage_changed_at, line, studio.name[:12], "ap", ("open", app.id)))
    return items


async def _studios_of(session: AsyncSession, application_ids: Collection[int]) -> dict[int, Studio]:
    """The studio of each of these applications, by application id."""
    if not application_ids:
        return {}
    query = (
        select(Application.id, Studio)
        .join(Studio, Studio.id == Application.studio_id)
        .where(Application.id.in_(list(application_ids)))
    )
    return {app_id: studio for app_id, studio in (await session.execute(query)).all()}


@pending_source("application.pending.objections")
async def objection_items(ctx: Context, subject: Subject) -> list[Item]:
    """Objections this person may resolve."""
    objections = await applications.open_objections(session=ctx.session)
    studios = await _studios_of(ctx.session, {o.application_id for o in objections})
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s in studios.values()})
    items = []
    for objection in objections:
        studio = studios.get(objection.application_id)
        if studio is None:
            continue
        if decide(subject, Action.RESOLVE_OBJECTION, target_from(studio, chains.get(studio.union_id, []))) is None:
            continue
        line = ctx.t("application.pending.objection", number=objection.id, studio=studio.name, text=objection.text[:30])
        items.append(Item(objection.created_at, line, studio.name[:12], "ob", ("open", objection.id)))
    return items
