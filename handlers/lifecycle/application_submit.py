"""申报 submitted: every condition checked again, then the application goes in, or the answers stay as a draft."""

from __future__ import annotations

from typing import Any

from handlers.core.presses import ApplicationPress
from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.engine.context import Context
from handlers.engine.flow import SubmitRefused, Values
from handlers.lifecycle import drafts, eligibility, moves, notify, window
from handlers.lifecycle.application_answers import chosen_studio
from handlers.lifecycle.application_gate import studio_refusal
from handlers.lifecycle.stages import set_studio_status
from storage.models import ApplicationStage, StudioStatus
from storage.repos import applications, attachments


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Check every condition again; submit, or keep the answers as a draft and name what is missing."""
    assert ctx.person is not None
    studio = await chosen_studio(ctx, values)
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
