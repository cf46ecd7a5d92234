"""评审: an expert scores an application on the rubric; the sheet that completes the panel closes the evaluation."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from handlers.core.types import Reply
from handlers.decisions.reason import busy
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Flow, Parser, ParseResult, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import cards, expert_rubric, moves, notify, stages
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Application, ApplicationStage, Studio
from storage.repos import applications, expert_scores

router = Router(__name__)

_SPLIT = re.compile(r"[\s,，、;；/]+")
MAX_COMMENT = 1000


def current(ctx: Context) -> expert_rubric.ExpertRubric:
    """The rubric in force."""
    return expert_rubric.load(ctx.config.expert_rubric_file)


async def may_score(ctx: Context, app: Application, studio: Studio) -> str | None:
    """None if the speaker may score this application now, else why not."""
    if await checks.check(ctx, Action.SCORE, studio=studio) is None:
        return checks.refusal(ctx, Action.SCORE)
    if app.stage is not ApplicationStage.REVIEWED:
        return ctx.t("application.score.closed", stage=cards.stage(ctx.t, app.stage))
    assert ctx.person is not None
    sheet = await expert_scores.score_by(session=ctx.session, application_id=app.id, expert_id=ctx.person.id)
    if sheet is not None:
        return ctx.t("application.score.already", total=f"{sheet.total.normalize():f}")
    return None


async def start(ctx: Context, app_id: int) -> list[Reply]:
    """Show the rubric and ask for the scores."""
    app = await applications.fresh(session=ctx.session, application_id=app_id)
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    if app is None or studio is None:
        return [Reply(text=ctx.t("application.gone"))]
    refusal = await may_score(ctx, app, studio) or None
    if refusal is not None:
        return [Reply(text=refusal, outcome_of_press=True)]
    waiting = await busy(ctx)
    if waiting is not None:
        return [waiting]
    sheet = current(ctx)
    lines = [ctx.t("application.score.intro", studio=studio.name, number=app.id)]
    lines += [
        ctx.t("application.score.criterion", n=n, name=c.name(ctx.t.locale), max=f"{c.max.normalize():f}")
        for n, c in enumerate(sheet.criteria, start=1)
    ]
    return [Reply(text="\n".join(lines)), *await start_flow(ctx, "score", {"application": app_id})]


def scores_parser(sheet_of: Callable[[Context], expert_rubric.ExpertRubric]) -> Parser:
    """A parser of one score per criterion of the sheet `sheet_of` gives, in order, each from 0 to its max."""

    def parse(ctx: Context, text: str) -> ParseResult:
        criteria = sheet_of(ctx).criteria
        plain = text.strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
        parts = [p for p in _SPLIT.split(plain) if p]
        if len(parts) != len(criteria):
            return None, "application.score.error.count"
        values = []
        for n, (part, criterion) in enumerate(zip(parts, criteria, strict=True), start=1):
            try:
                number = Decimal(part)
            except InvalidOperation:
                return None, "application.score.error.number"
            if not number.is_finite() or number < 0 or number > criterion.max:
                where = {"n": n, "name": criterion.name(ctx.t.locale), "max": f"{criterion.max.normalize():f}"}
                return None, ("application.score.error.item_range", {**where, "value": part})
            values.append(f"{number.normalize():f}")
        return values, None

    return parse


def scores_shower(sheet_of: Callable[[Context], expert_rubric.ExpertRubric]) -> Callable[[Context, Any], str]:
    """How a sheet of scores reads in the summary: each criterion with its score, and the total."""

    def show(ctx: Context, value: Any) -> str:
        criteria = sheet_of(ctx).criteria
        pairs = [f"{c.name(ctx.t.locale)} {v}" for c, v in zip(criteria, value, strict=False)]
        total = sum((Decimal(v) for v in value), Decimal(0))
        return ctx.t("application.score.show", scores="；".join(pairs), total=f"{total.normalize():f}")

    return show


parse_scores = scores_parser(current)
show_scores = scores_shower(current)


def parse_comment(ctx: Context, text: str) -> ParseResult:
    """A free comment."""
    value = text.strip()
    return (None, "application.score.error.comment") if len(value) > MAX_COMMENT else (value, None)


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Record the sheet; the one that completes the panel moves the application to 评审完成."""
    app_id = int(values["application"])
    # Lock the application so that two experts' closing sheets cannot both miss the count.
    await ctx.session.execute(select(Application.id).where(Application.id == app_id).with_for_update())
    app = await applications.fresh(session=ctx.session, application_id=app_id)
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    if app is None or studio is None:
        return [Reply(text=ctx.t("application.gone"))]
    refusal = await may_score(ctx, app, studio)
    if refusal is not None:
        return [Reply(text=refusal)]
    assert ctx.person is not None
    sheet = current(ctx)
    scores, total = sheet.sheet(values["scores"])
    row = await expert_scores.add_score(
        session=ctx.session,
        application_id=app.id,
        expert_id=ctx.person.id,
        scores=scores,
        total=total,
        comment=values.get("comment") or "",
        now=ctx.now,
    )
    await ctx.audit(
        object_type="expert_score",
        object_id=row.id,
        to_state="scored",
        studio_id=studio.id,
        detail={"application": app.id, "total": f"{total.normalize():f}", "scores": scores},
    )
    count = len(await expert_scores.scores_of(session=ctx.session, application_id=app.id))
    lines = [ctx.t("application.score.thanks", total=f"{total.normalize():f}", studio=studio.name)]
    if count >= sheet.experts_needed:
        close = moves.find("close", ApplicationStage.REVIEWED)
        assert close is not None
        _, closed = await stages.advance(ctx, app.id, close)
        if closed:
            lines.append(ctx.t("application.score.closed_now", count=count))
    else:
        await notify.panel_exhausted(ctx, app, studio)
    return [Reply(text="\n".join(lines), outcome_of_press=True)]


SCORE = router.flow(
    Flow(
        name="score",
        title="application.score.title",
        steps=(
            Step(
                "scores",
                "application.score.ask",
                "application.score.label",
                parse=parse_scores,
                show=show_scores,
            ),
            Step(
                "comment",
                "application.score.ask_comment",
                "application.score.label_comment",
                parse=parse_comment,
                optional=True,
                limit=MAX_COMMENT,  # stated in the question; a longer comment is kept as a draft
            ),
        ),
        submit=submit,
    )
)
