"""申报: a lead applies for the title, answering what 第三条 asks; the eligibility check runs before submission.

The flow and its command; who may apply is application_gate, the steps' answers application_answers,
the submission application_submit.
"""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Flow, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import drafts, eligibility
from handlers.lifecycle.application_answers import (
    activity_choices,
    equipment_choices,
    outcome_choices,
    parse_text,
    studio_choices,
    venue_choices,
)
from handlers.lifecycle.application_gate import led_studios, studio_refusal
from handlers.lifecycle.application_submit import submit
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import RoleKind

router = Router(__name__)


async def prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Refuse early what cannot be fixed in the conversation; carry over a draft or a returned application."""
    studios = await led_studios(ctx)
    if not studios:
        return [Reply(text=checks.refusal(ctx, Action.APPLY))]
    if len(studios) > 1:
        values["_several"] = True
        return None
    studio = studios[0]
    refusal = await studio_refusal(ctx, studio)
    if refusal is not None:
        return [Reply(text=refusal)]
    facts = await eligibility.gather(
        ctx.session,
        studio,
        ctx.person,
        venue=studio.venue,
        equipment=studio.equipment,
        today=ctx.today,
        activities_needed=ctx.config.application_min_activities,
    )
    if eligibility.unmet(facts, venue_known=False):
        # venue and equipment are asked below, but the studio's record is named too so that one answer says all
        return [Reply(text=eligibility.explain(ctx.t, facts, eligibility.unmet(facts)))]
    values["studio"] = studio.id
    await drafts.carry_over(ctx, studio, values)
    return None


STEPS = (
    Step(
        "studio",
        "application.ask.studio",
        "application.label.studio",
        choices=studio_choices,
        when=lambda v: bool(v.get("_several")),
    ),
    Step(
        "venue",
        "application.ask.venue",
        "application.label.venue",
        parse=parse_text,
        limit=300,
        choices=venue_choices,
        optional=True,
    ),
    Step(
        "equipment",
        "application.ask.equipment",
        "application.label.equipment",
        parse=parse_text,
        limit=300,
        choices=equipment_choices,
        optional=True,
    ),
    Step(
        "outcomes",
        "application.ask.outcomes",
        "application.label.outcomes",
        choices=outcome_choices,
        multi=True,
        closed=True,  # only the studio's own outcomes: a typed title that names none is refused at once
    ),
    Step(
        "activities",
        "application.ask.activities",
        "application.label.activities",
        parse=parse_text,
        limit=2000,
        choices=activity_choices,
        show=lambda ctx, value: str(value),
    ),
    Step("files", "application.ask.files", "application.label.files", files=True, optional=True),
)

APPLICATION = router.flow(
    Flow(
        name="application",
        title="application.title",
        steps=STEPS,
        submit=submit,
        prepare=prepare,
        cancel=drafts.on_cancel,
    )
)


@router.command("apply", "申报", help_key="application.help.apply", order=50, roles=frozenset({RoleKind.LEAD}))
async def apply_command(ctx: Context, args: str) -> list[Reply]:
    """Apply for the title of 上海市技师创新工作室."""
    return await start_flow(ctx, "application")
