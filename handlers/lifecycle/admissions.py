"""核准例外: the association admits a studio short of a 原则上 condition of 第三条 (lead, team), with a reason."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.decisions.reason import parse_reason
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import notify
from handlers.lifecycle.eligibility import IN_PRINCIPLE
from handlers.roles import checks, matching
from handlers.roles.permissions import Action
from storage.models import RoleKind, Studio, StudioStatus
from storage.repos import admissions, org

router = Router(__name__)

# admitting an exception is part of the association's 审核 of applications (第六条)
ACTION = Action.ASSOCIATION_REVIEW


async def condition_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The conditions 第三条 states only 原则上: the lead's grade and the team's size."""
    return [Choice(key, ctx.t(f"committee.admit.condition.{key}")) for key in sorted(IN_PRINCIPLE)]


async def _refusal(ctx: Context, studio: Studio) -> str | None:
    if await checks.check(ctx, ACTION, studio=studio) is None:
        return ctx.t("committee.admit.refused")
    if studio.status is StudioStatus.NAMED:
        return ctx.t("application.already_named", studio=studio.name)
    return None


@router.command("admit", "核准例外", help_key="committee.admit.help", order=72, roles=frozenset({RoleKind.ASSOCIATION}))
async def admit_command(ctx: Context, args: str) -> list[Reply]:
    """核准例外 工作室名称: admit a studio short of the lead's grade or the team's size, with a reason."""
    name = args.strip()
    if not name:
        may = matching.could_ever(await checks.subject_of(ctx), ACTION)
        return [Reply(text=ctx.t("committee.admit.usage" if may else "committee.admit.refused"))]
    studio = await org.get_studio(session=ctx.session, name=name)
    if studio is None:
        return [Reply(text=ctx.t("lifecycle.history.no_studio", name=name))]
    refusal = await _refusal(ctx, studio)
    if refusal is not None:
        return [Reply(text=refusal)]
    return await start_flow(ctx, "admit", {"studio": studio.id})


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Record the admission (once per studio, condition and year), audit it, tell the studio's lead."""
    studio = await ctx.session.get(Studio, int(values["studio"]))
    if studio is None:
        return [Reply(text=ctx.t("lifecycle.gone"))]
    refusal = await _refusal(ctx, studio)
    if refusal is not None:
        return [Reply(text=refusal)]
    condition, reason, year = str(values["condition"]), str(values["reason"]), ctx.today.year
    row = await admissions.admit(
        session=ctx.session,
        studio_id=studio.id,
        condition=condition,
        year=year,
        reason=reason,
        by_id=ctx.person.id if ctx.person else None,
        now=ctx.now,
    )
    if row is None:
        what = ctx.t(f"committee.admit.condition.{condition}")
        return [Reply(text=ctx.t("committee.admit.already", studio=studio.name, condition=what, year=year))]
    await ctx.audit(
        object_type="studio",
        object_id=studio.id,
        to_state="admitted",
        reason=reason,
        studio_id=studio.id,
        detail={"condition": condition, "year": year},
    )

    def told(t: Translator) -> Reply:
        what = t(f"committee.admit.condition.{condition}")
        return Reply(text=t("committee.admit.told", studio=studio.name, condition=what, year=year, reason=reason))

    leads = await org.leads_of(session=ctx.session, studio_id=studio.id)
    await notify.send(ctx, leads, f"admit:{row.id}", told)
    what = ctx.t(f"committee.admit.condition.{condition}")
    return [Reply(text=ctx.t("committee.admit.done", studio=studio.name, condition=what, year=year, reason=reason))]


ADMIT = router.flow(
    Flow(
        name="admit",
        title="committee.admit.title",
        steps=(
            Step(
                "condition",
                "committee.admit.ask.condition",
                "committee.admit.label.condition",
                choices=condition_choices,
            ),
            Step("reason", "committee.admit.ask.reason", "committee.admit.label.reason", parse=parse_reason),
        ),
        submit=submit,
    )
)
