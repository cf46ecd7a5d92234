"""What of the studio's life waits in a person's 待审 list: applications at their stage, objections.

Each source reads with a fixed number of statements, however many applications and objections are open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core.presses import ApplicationPress, ObjectionAction, ObjectionPress
from handlers.core.width import cut
from handlers.decisions import panel
from handlers.decisions.pending import Item, pending_source
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import cards, expert_rubric, moves
from handlers.roles.checks import target_from
from handlers.roles.matching import decide
from handlers.roles.permissions import Action, Subject, Target
from storage.models import Application, ApplicationStage, RoleKind, Studio
from storage.repos import applications, expert_scores, org

router = Router(__name__)

S = ApplicationStage
END = moves.END


@dataclass
class Panels:
    """Who has scored the applications under evaluation, and the committee (read once for the list)."""

    sheets: dict[int, set[int]] = field(default_factory=dict)
    committee: panel.Committee = field(default_factory=lambda: panel.Committee(()))

    def closable(self, app: Application, target: Target) -> bool:
        """At least one sheet is in, or no expert may score it at all: the association can move it on."""
        return bool(self.sheets.get(app.id)) or not self.committee.panel(target).eligible


def _waits_for(
    ctx: Context, subject: Subject, app: Application, studio: Studio, target: Target, scored: set[int], panels: Panels
) -> bool:
    if app.stage is S.REVIEWED:
        if decide(subject, END.permission, target) is not None and panels.closable(app, target):
            return True
        if decide(subject, Action.SCORE, target) is None or subject.person_id is None:
            return False
        return app.id not in scored
    if app.stage is S.PUBLIC_NOTICE and (app.notice_ends_on is None or ctx.today <= app.notice_ends_on):
        return False  # nothing to do until the notice ends
    return any(decide(subject, m.permission, target) for m in moves.MOVES if m.at is app.stage and m.button)


@pending_source(router, "application.pending.section")
async def application_items(ctx: Context, subject: Subject) -> list[Item]:
    """Applications waiting at a stage this person decides (or scores)."""
    rows = await applications.in_stages(session=ctx.session, stages=applications.OPEN_STAGES)
    chains = await org.union_chains(session=ctx.session, union_ids={studio.union_id for _, studio in rows})
    in_review = [app.id for app, _ in rows if app.stage is S.REVIEWED]
    expert = any(g.kind is RoleKind.EXPERT for g in subject.grants)
    scored = (
        await expert_scores.scored_by(session=ctx.session, expert_id=subject.person_id, application_ids=in_review)
        if expert
        else set()
    )
    panels = Panels()
    if in_review and any(g.kind is RoleKind.ASSOCIATION for g in subject.grants):
        panels = Panels(
            await expert_scores.sheets_of(session=ctx.session, application_ids=in_review),
            await panel.load(ctx.session),
        )
    needed = expert_rubric.load(ctx.config.expert_rubric_file).experts_needed
    items = []
    for app, studio in rows:
        target = target_from(studio, chains.get(studio.union_id, []))
        if _waits_for(ctx, subject, app, studio, target, scored, panels):
            stage = cards.stage(ctx.t, app.stage)
            if app.stage is S.REVIEWED and decide(subject, END.permission, target):
                count = len(panels.sheets.get(app.id, set()))
                stage = ctx.t("application.pending.scores", stage=stage, count=count, needed=needed)
            line = ctx.t("application.pending.line", number=app.id, studio=studio.name, stage=stage)
            items.append(Item(app.stage_changed_at, line, cut(studio.name, 24), ApplicationPress("open", app.id)))
    return items


@pending_source(router, "application.pending.objections")
async def objection_items(ctx: Context, subject: Subject) -> list[Item]:
    """Objections this person may resolve."""
    objections = await applications.open_objections(session=ctx.session)
    studios = await applications.studios_of(session=ctx.session, application_ids={o.application_id for o in objections})
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s in studios.values()})
    items = []
    for objection in objections:
        studio = studios.get(objection.application_id)
        if studio is None:
            continue
        if decide(subject, Action.RESOLVE_OBJECTION, target_from(studio, chains.get(studio.union_id, []))) is None:
            continue
        line = ctx.t(
            "application.pending.objection", number=objection.id, studio=studio.name, text=cut(objection.text, 60)
        )
        press = ObjectionPress(ObjectionAction.OPEN, objection.id)
        items.append(Item(objection.created_at, line, cut(studio.name, 24), press))
    return items
