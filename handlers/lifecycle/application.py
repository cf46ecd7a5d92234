"""申报: a lead applies for the title, answering what 第三条 asks; the eligibility check runs before submission."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.core.presses import ApplicationPress
from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, ParseResult, Step, SubmitRefused, Values
from handlers.engine.router import Router
from handlers.lifecycle import drafts, eligibility, moves, notify, window
from handlers.lifecycle.cards import stage as stage_name
from handlers.lifecycle.stages import set_studio_status
from handlers.roles import permissions
from handlers.roles.permissions import Action
from storage.models import ApplicationStage, RoleKind, Studio, StudioStatus
from storage.repos import applications, attachments, people

router = Router(__name__)


async def led_studios(ctx: Context) -> list[Studio]:
    """The studios the speaker leads."""
    assert ctx.person is not None
    rows = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    return [studio for studio, kind in rows if kind is RoleKind.LEAD]


async def studio_refusal(ctx: Context, studio: Studio) -> str | None:
    """Why this studio cannot apply now (not its lead, named, under way, turned down this year, outside the window)."""
    if await permissions.check(ctx, Action.APPLY, studio=studio) is None:
        return permissions.refusal(ctx, Action.APPLY)
    # what holds whatever the date comes first: a named studio (or one with an application under way)
    # must not be invited to apply when the next window opens
    if studio.status is StudioStatus.NAMED:
        return ctx.t("application.already_named", studio=studio.name)
    running = await applications.latest_for_studio(
        session=ctx.session, studio_id=studio.id, stages=applications.OPEN_STAGES
    )
    if running is not None:
        return ctx.t("application.under_way", number=running.id, stage=stage_name(ctx.t, running.stage))
    # selection is yearly (第五条): an application turned down, at any stage, closes that year's window
    windows = await window.load(ctx.session, ctx.config)
    turned_down = await applications.latest_for_studio(
        session=ctx.session, studio_id=studio.id, stages={ApplicationStage.REJECTED}
    )
    if turned_down is not None:
        again = windows.reopens(notify.submitted_on(ctx, turned_down))
        if ctx.today < again:
            return ctx.t("application.turned_down", number=turned_down.id, studio=studio.name, again=again)
    if windows.containing(ctx.today) is None:
        opens, closes = windows.next_window(ctx.today)
        return ctx.t("batch.window.outside", opens=opens, closes=closes)
    return None


async def prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Refuse early what cannot be fixed in the conversation; carry over a draft or a returned application."""
    studios = await led_studios(ctx)
    if not studios:
        return [Reply(text=permissions.refusal(ctx, Action.APPLY))]
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


async def studio_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studios the speaker leads."""
    return [Choice(s.id, s.name) for s in await led_studios(ctx)]


async def _studio(ctx: Context, values: Values) -> Studio | None:
    return await ctx.session.get(Studio, int(values["studio"])) if values.get("studio") is not None else None


def _on_record(earlier: Any, recorded: str | None) -> list[Choice]:
    """The earlier application's answer first, then the studio's record, each once."""
    found = [str(v) for v in (earlier, recorded) if v]
    return [Choice(v, v) for v in dict.fromkeys(found)]


async def venue_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The venue of the earlier application and on record, as one-press answers."""
    studio = await _studio(ctx, values)
    return _on_record(await drafts.earlier(ctx, values, "venue"), studio.venue if studio else None)


async def equipment_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The equipment of the earlier application and on record, as one-press answers."""
    studio = await _studio(ctx, values)
    return _on_record(await drafts.earlier(ctx, values, "equipment"), studio.equipment if studio else None)


async def activity_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The earlier application's account of the activities, as a one-press answer."""
    text = str(await drafts.earlier(ctx, values, "activities") or "")
    return [Choice(text, ctx.t("batch.choice.earlier", text=drafts.preview(text)))] if text else []


async def outcome_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studio's outcomes applied in production and funded by the scheme; one still under review says so."""
    if values.get("studio") is None:
        return []
    found = await eligibility.qualifying_outcomes(ctx.session, int(values["studio"]))
    chosen = set(await drafts.earlier(ctx, values, "outcomes") or [])

    def key(entry_id: int, waiting: bool) -> str:
        if entry_id in chosen:
            return "batch.choice.earlier_outcome"
        return "application.outcome_choice_waiting" if waiting else "application.outcome_choice"

    return [Choice(o.entry_id, ctx.t(key(o.entry_id, o.waiting), title=o.title[:30])) for o in found]


def parse_text(ctx: Context, text: str) -> ParseResult:
    """Free text of two characters or more (its most is the step's limit: longer is kept as a draft)."""
    value = text.strip()
    return (None, "application.error.short") if len(value) < 2 else (value, None)


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Check every condition again; submit, or keep the answers as a draft and name what is missing."""
    assert ctx.person is not None
    studio = await _studio(ctx, values)
    if studio is None:
        raise SubmitRefused([Reply(text=ctx.t("application.gone"))])
    refusal = await studio_refusal(ctx, studio)
    if refusal is not None:
        raise SubmitRefused([Reply(text=refusal)])
    venue, equipment = str(values.get("venue") or ""), str(values.get("equipment") or "")
    facts = await eligibility.gather(
        ctx.session,
        studio,
        ctx.person,
        venue=venue,
        equipment=equipment,
        today=ctx.today,
        activities_needed=ctx.config.application_min_activities,
    )
    picked = [str(v) for v in values.get("outcomes") or []]
    unknown = [v for v in picked if not v.isdigit()]
    if unknown:
        # The step refuses a title that names none of the studio's outcomes; a draft saved before it did may
        # still hold one, so it is refused here too instead of being dropped on submit.
        names = ctx.t("application.list_separator").join(ctx.t("application.quoted_name", name=n) for n in unknown)
        raise SubmitRefused([Reply(text=ctx.t("application.unknown_outcomes", names=names))])
    chosen = {int(v) for v in picked}
    data: dict[str, Any] = {
        "lead": ctx.person.name,
        "grade": ctx.person.grade,
        "members": facts.members,
        "venue": venue,
        "equipment": equipment,
        "outcomes": [{"id": o.entry_id, "title": o.title} for o in facts.outcomes if o.entry_id in chosen],
        "activities": values.get("activities") or "",
        "files": len(values.get("files") or []),
    }
    missing = eligibility.unmet(facts, chosen=chosen)
    # the batch is the year its window opened: a window across the new year takes January's applications too
    span = (await window.load(ctx.session, ctx.config)).containing(ctx.today)
    batch_year = span[0].year if span else ctx.today.year
    resubmits = int(values[drafts.RESUBMITS]) if values.get(drafts.RESUBMITS) is not None else None
    if resubmits is None:  # a lead of several studios picks the studio in the flow: link a returned one here
        latest = await applications.latest_for_studio(session=ctx.session, studio_id=studio.id)
        resubmits = latest.id if latest is not None and latest.stage is ApplicationStage.RETURNED else None
    if missing:
        await applications.save_draft(
            session=ctx.session,
            studio_id=studio.id,
            applicant_id=ctx.person.id,
            year=batch_year,
            data=data,
            now=ctx.now,
            resubmits_id=resubmits,
        )
        explained = eligibility.explain(ctx.t, facts, missing)
        raise SubmitRefused([Reply(text=f"{explained}\n{ctx.t('application.draft_kept')}")])
    app = await applications.submit(
        session=ctx.session,
        studio_id=studio.id,
        applicant_id=ctx.person.id,
        year=batch_year,
        data=data,
        now=ctx.now,
        resubmits_id=resubmits,
    )
    for file in values.get("files") or []:
        await attachments.add_attachment(
            session=ctx.session, file=file, uploaded_by_id=ctx.person.id, application_id=app.id
        )
    studio.venue, studio.equipment = venue, equipment
    await ctx.audit(
        object_type="application",
        object_id=app.id,
        from_state=ApplicationStage.DRAFT.value,
        to_state=ApplicationStage.SUBMITTED.value,
        studio_id=studio.id,
        detail={"year": app.year, "resubmits": resubmits},
    )
    await set_studio_status(ctx, studio, StudioStatus.APPLYING)
    notes = await notify.ask_deciders(ctx, app, studio)
    union = await audience.reviewing_union_of(ctx.session, studio)
    withdraw = ctx.button(
        ctx.t("batch.button.withdraw"), ApplicationPress(moves.WITHDRAW.key, app.id, moves.CODES[app.stage])
    )
    text = ctx.t("application.submitted", number=app.id, union=union.name if union else "-")
    return [Reply(text="\n".join([text, *notes, ctx.t("batch.withdraw.hint")]), buttons=((withdraw,),))]


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
