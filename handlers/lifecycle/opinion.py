"""推荐意见: the district's 推荐 is made with its opinion, typed after the press and carried to the association."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.decisions.reason import busy, parse_reason
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Flow, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import stages
from handlers.lifecycle.moves import Move, find
from storage.models import ApplicationStage

router = Router(__name__)


async def ask(ctx: Context, app_id: int, move: Move) -> list[Reply]:
    """Ask the recommender for the opinion, once the press itself may still be made."""
    found = await stages.check(ctx, app_id, move)
    if isinstance(found, str):
        return [Reply(text=found, outcome_of_press=True)]
    refusal = await busy(ctx)
    if refusal is not None:
        return [refusal]
    app, studio, _ = found
    replies = await start_flow(ctx, "opinion", {"application": app.id})
    return [Reply(text=ctx.t("batch.opinion.asking", number=app.id, studio=studio.name)), *replies]


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Recommend with the opinion just given (every check made again)."""
    move = find("rec", ApplicationStage.SUBMITTED)
    assert move is not None
    return [(await stages.advance(ctx, int(values["application"]), move, str(values["opinion"])))[0]]


OPINION = router.flow(
    Flow(
        name="opinion",
        title="batch.opinion.title",
        steps=(Step("opinion", "batch.opinion.ask", "batch.opinion.label", parse=parse_reason),),
        submit=submit,
    )
)
