"""Making a move of an application: every check again, exactly one decision per stage, all told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.decisions.reason import told
from handlers.engine.context import Context
from handlers.lifecycle import cards, expert_rubric, notify
from handlers.lifecycle.moves import Move, words_of
from handlers.reviews.cards import decided_by
from handlers.roles import checks
from storage.models import Application, ApplicationStage, ExpertScore, Studio, StudioStatus
from storage.repos import application_decisions, applications, expert_scores, naming, org, studio_cycles

S = ApplicationStage


async def blocked(ctx: Context, app: Application, move: Move) -> str | None:
    """Why a move cannot be made yet, if it cannot: naming waits for the notice and objections, closing for a sheet."""
    if move.key == "end":
        scores = await expert_scores.scores_of(session=ctx.session, application_id=app.id)
        return None if scores else ctx.t("application.end_needs_score")
    if move.key != "name":
        return None
    if app.notice_ends_on is not None and ctx.today <= app.notice_ends_on:
        return ctx.t("application.notice_running", ends=app.notice_ends_on, first=app.notice_ends_on + timedelta(1))
    waiting = await applications.count_open_objections(session=ctx.session, application_id=app.id)
    return ctx.t("application.objections_open", count=waiting) if waiting else None


async def why_not(ctx: Context, app: Application, move: Move) -> str:
    """Who took this stage's decision and when, or where the application now stands."""
    prior = await application_decisions.decision_at(session=ctx.session, application_id=app.id, stage=move.at)
    if prior is not None:
        word_key = cards.decision_word(prior.decision, at=move.at)
        return await decided_by(ctx.session, ctx.t, prior, ctx.config.tz, word_key=word_key)
    return ctx.t("application.moved_on", stage=cards.stage(ctx.t, app.stage))


async def check(ctx: Context, app_id: int, move: Move) -> tuple[Application, Studio, int | None] | str:
    """The application, its studio and the on-behalf-of id if the speaker may make this move now; else why not."""
    app = await applications.fresh(session=ctx.session, application_id=app_id)
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    if app is None or studio is None:
        return ctx.t("application.gone")
    grant = await checks.check(ctx, move.permission, studio=studio)
    if grant is None:
        return checks.refusal(ctx, move.permission)
    if app.stage is not move.at:
        return await why_not(ctx, app, move)
    reason = await blocked(ctx, app, move)
    return reason if reason is not None else (app, studio, grant.on_behalf_of)


async def advance(ctx: Context, app_id: int, move: Move, reason: str | None = None) -> tuple[Reply, bool]:
    """Make the move if it may still be made; the reply to the decider and whether it landed."""
    found = await check(ctx, app_id, move)
    if isinstance(found, str):
        return told(ctx, found, reason), False
    app, studio, behalf = found
    assert ctx.person is not None
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    scores = tuple(await expert_scores.scores_of(session=ctx.session, application_id=app.id))
    below = cards.below_pass(scores, sheet)
    mean, passing = cards.average(scores), cards.number(sheet.pass_score)
    if move.key == "notice" and below and not reason:
        # below the pass line the association may still start the notice, but only with a reason on record
        return told(ctx, ctx.t("application.notice_needs_reason", average=mean or 0, pass_score=passing), reason), False
    notice = None
    if move.to is S.PUBLIC_NOTICE:
        notice = (ctx.today, ctx.today + timedelta(days=ctx.config.public_notice_days - 1))
    if not await applications.move(
        session=ctx.session, application_id=app.id, expected=move.at, to=move.to, now=ctx.now, notice=notice
    ):
        fresh = await applications.fresh(session=ctx.session, application_id=app.id)
        return told(ctx, await why_not(ctx, fresh or app, move), reason), False
    await application_decisions.record_decision(
        session=ctx.session,
        application_id=app.id,
        stage=move.at,
        decision=move.decision,
        reviewer_id=ctx.person.id,
        channel=ctx.channel,
        now=ctx.now,
        reason=reason,
        on_behalf_of_id=behalf,
    )
    await ctx.audit(
        object_type="application",
        object_id=app.id,
        from_state=move.at.value,
        to_state=move.to.value,
        reason=reason,
        studio_id=studio.id,
        detail=_detail(move, behalf, scores, sheet),
    )
    await _studio_follows(ctx, app, studio, move)
    notes = await notify.after_move(ctx, app, studio, move, reason)
    key = f"application.done.{words_of(move)}" + ("_below" if move.key == "notice" and below else "")
    text = ctx.t(
        key,
        studio=studio.name,
        stage=cards.stage(ctx.t, move.to),
        count=len(scores),
        average=mean or 0,
        pass_score=passing,
    )
    return Reply(text="\n".join([text, *notes]), outcome_of_press=True), True


def _detail(
    move: Move, behalf: int | None, scores: tuple[ExpertScore, ...], sheet: expert_rubric.ExpertRubric
) -> dict[str, Any]:
    detail: dict[str, Any] = {"decision": move.decision.value, "on_behalf_of": behalf}
    if move.at in (S.REVIEWED, S.EVALUATED):
        mean = cards.average(scores)
        detail |= {
            "scores": len(scores),
            "average": f"{mean}" if mean is not None else None,
            "pass_score": cards.number(sheet.pass_score),
            "below_pass": cards.below_pass(scores, sheet),
        }
    return detail


async def set_studio_status(ctx: Context, studio: Studio, to: StudioStatus, reason: str | None = None) -> None:
    """Change the studio's status along its life, with its audit row."""
    if studio.status is to:
        return
    before, studio.status = studio.status, to
    await ctx.session.flush()
    await ctx.audit(
        object_type="studio",
        object_id=studio.id,
        from_state=before.value,
        to_state=to.value,
        reason=reason,
        studio_id=studio.id,
    )


async def _studio_follows(ctx: Context, app: Application, studio: Studio, move: Move) -> None:
    if move.to in (S.RETURNED, S.REJECTED, S.WITHDRAWN) and studio.status is StudioStatus.APPLYING:
        back = StudioStatus.NOT_RETAINED if studio.named_on else StudioStatus.PROSPECTIVE
        await set_studio_status(ctx, studio, back)
    if move.to is S.NAMED:
        studio.named_on = ctx.today
        await set_studio_status(ctx, studio, StudioStatus.NAMED)
        await _on_the_list(ctx, app, studio)
        cycle = await studio_cycles.start_cycle(session=ctx.session, studio=studio, starts_on=ctx.today)
        await ctx.audit(
            object_type="cycle",
            object_id=cycle.id,
            to_state="open",
            studio_id=studio.id,
            detail={
                "number": cycle.number,
                "starts_on": cycle.starts_on.isoformat(),
                "ends_on": cycle.ends_on.isoformat(),
            },
        )


async def _on_the_list(ctx: Context, app: Application, studio: Studio) -> None:
    """The year's naming list gains the studio as it stands today (推荐单位: the union that recommended it)."""
    union = await audience.reviewing_union_of(ctx.session, studio)
    leads = await org.leads_of(session=ctx.session, studio_id=studio.id)
    await naming.add_named(
        session=ctx.session,
        year=app.year,
        application_id=app.id,
        studio_id=studio.id,
        studio_name=studio.name,
        enterprise=studio.enterprise,
        lead_name=leads[0].name if leads else str(app.data.get("lead") or ""),
        union_name=union.name if union else "",
        named_on=ctx.today,
        named_by_id=ctx.person.id if ctx.person else None,
    )
