"""Application buttons: ap:<move>:<application>:<stage code>, ap:score:…, ap:open:<application>."""

from __future__ import annotations

from handlers.core.presses import ApplicationPress
from handlers.core.types import Button, Reply
from handlers.decisions import audience
from handlers.decisions.reason import ask_reason, reason_handler
from handlers.engine.context import Context
from handlers.engine.flow import Values
from handlers.engine.router import Router
from handlers.lifecycle import cards, expert_rubric, moves, opinion, panel_view, scoring, stages
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import ApplicationStage, Studio
from storage.repos import applications, expert_scores

router = Router(__name__)

VIEWERS = (Action.VIEW_ENTRIES, Action.SCORE, Action.ASSOCIATION_REVIEW, Action.APPLY)


@router.button(ApplicationPress)
async def application_button(ctx: Context, press: ApplicationPress) -> list[Reply]:
    """Route a press on an application's card."""
    key, app_id = press.move, press.application_id
    if key == "open":
        return [await open_application(ctx, app_id)]
    at = moves.STAGE_OF.get(press.stage or "")
    if at is None:
        return [Reply(text=ctx.t("engine.bad_button"))]
    if key == "score" and at is ApplicationStage.REVIEWED:
        return await scoring.start(ctx, app_id)
    if key == moves.WITHDRAW.key and at is moves.WITHDRAW.at:
        return [(await stages.advance(ctx, app_id, moves.WITHDRAW))[0]]
    move = moves.find(key, at)
    if move is None or not move.button:
        return [Reply(text=ctx.t("engine.bad_button"))]
    if move.key == "rec":
        return await opinion.ask(ctx, app_id, move)
    # read once, and only for a move that may ask a reason (a notice below the pass line does; it quotes the average)
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    asks = move.needs_reason or move.key == "notice"
    scores = tuple(await expert_scores.scores_of(session=ctx.session, application_id=app_id)) if asks else ()
    below = move.key == "notice" and cards.below_pass(scores, sheet)
    if not move.needs_reason and not below:
        return [(await stages.advance(ctx, app_id, move))[0]]
    found = await stages.check(ctx, app_id, move)
    if isinstance(found, str):
        return [Reply(text=found, outcome_of_press=True)]
    app, studio, _ = found
    what = ctx.t(
        f"application.asking.{moves.words_of(move)}",
        number=app.id,
        studio=studio.name,
        average=cards.average(scores) or 0,
        pass_score=cards.number(sheet.pass_score),
    )
    return await ask_reason(ctx, "application", what, application=app_id, move=move.key, at=press.stage)


@reason_handler(router, "application")
async def application_reason(ctx: Context, values: Values, reason: str) -> list[Reply]:
    """Return or reject an application with the reason just given."""
    move = moves.find(str(values["move"]), moves.STAGE_OF[str(values["at"])])
    assert move is not None
    return [(await stages.advance(ctx, int(values["application"]), move, reason))[0]]


async def open_application(ctx: Context, app_id: int) -> Reply:
    """The application's card, with the buttons the speaker may press at its stage."""
    app = await applications.fresh(session=ctx.session, application_id=app_id)
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    if app is None or studio is None:
        return Reply(text=ctx.t("application.gone"))
    allowed = [a for a in VIEWERS if await checks.check(ctx, a, studio=studio) is not None]
    if not allowed:
        return Reply(text=checks.refusal(ctx, Action.VIEW_ENTRIES))
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    card = await cards.card_of(ctx.session, app, studio, sheet)
    # independent review: an expert reads no other score before giving their own
    mine = ctx.person is not None and any(s.expert_id == ctx.person.id for s in card.scores)
    blind = Action.SCORE in allowed and Action.ASSOCIATION_REVIEW not in allowed and not mine
    lines = [cards.card_text(ctx.t, card, blind=blind)]
    below = cards.below_pass(card.scores, sheet)
    buttons: list[Button] = []
    for move in moves.MOVES:
        if move.at is app.stage and move.button and isinstance(await stages.check(ctx, app.id, move), tuple):
            label = moves.label(ctx.t, move, below_pass=below)
            buttons.append(ctx.button(label, ApplicationPress(move.key, app.id, moves.CODES[app.stage])))
    if app.stage is moves.WITHDRAW.at and isinstance(await stages.check(ctx, app.id, moves.WITHDRAW), tuple):
        withdraw = ApplicationPress(moves.WITHDRAW.key, app.id, moves.CODES[app.stage])
        buttons.append(ctx.button(ctx.t("batch.button.withdraw"), withdraw))
    if app.stage is ApplicationStage.REVIEWED and await scoring.may_score(ctx, app, studio) is None:
        score = ApplicationPress("score", app.id, moves.CODES[app.stage])
        buttons.append(ctx.button(ctx.t("application.button.score"), score))
    if Action.ASSOCIATION_REVIEW in allowed and (card.scores or app.stage is ApplicationStage.REVIEWED):
        if app.stage is ApplicationStage.REVIEWED:
            lines.append(await _panel_state(ctx, card))
        lines += await panel_view.sheets_text(ctx, card.scores, sheet.criteria)
        lines += await panel_view.aside_lines(ctx, studio)
    return Reply(text="\n".join(lines), buttons=(tuple(buttons),) if buttons else ())


async def _panel_state(ctx: Context, card: cards.Card) -> str:
    """For the association: what the evaluation waits for, and what it may do about it."""
    scored = {s.expert_id for s in card.scores}
    left = [p for p in await audience.experts_for(ctx, card.studio) if p.id not in scored]
    needed = card.sheet.experts_needed
    if not card.scores:
        return ctx.t("application.panel.none_yet" if left else "application.panel.no_experts", needed=needed)
    if left and len(card.scores) < needed:
        return ctx.t("application.panel.waiting", missing=needed - len(card.scores), left=len(left))
    return ctx.t("application.panel.exhausted", count=len(card.scores), needed=needed)
