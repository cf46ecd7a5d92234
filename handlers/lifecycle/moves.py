"""The application's stages (第六条, 第九条) as one table of moves: from where, to where, by whom."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.i18n import Translator
from handlers.core.presses import ApplicationPress
from handlers.core.types import Button
from handlers.engine.context import Context
from handlers.roles.permissions import Action
from storage.models import Application, ApplicationStage, Decision

S = ApplicationStage
CODES = {S.SUBMITTED: "s", S.RECOMMENDED: "r", S.REVIEWED: "v", S.EVALUATED: "e", S.PUBLIC_NOTICE: "p"}
STAGE_OF = {code: stage for stage, code in CODES.items()}


@dataclass(frozen=True)
class Move:
    """One step of an application: from a stage to the next, by whom, and whether a reason is asked."""

    key: str
    at: ApplicationStage
    to: ApplicationStage
    decision: Decision
    permission: Action
    needs_reason: bool = False
    button: bool = True


# the association closes an evaluation with the sheets received (at least one) when the panel cannot or does not fill
END = Move("end", S.REVIEWED, S.EVALUATED, Decision.SCORE, Action.ASSOCIATION_REVIEW)

# the applicant takes a submitted application back until the district acts; kept out of MOVES, whose buttons
# and 待审 lines are the deciders'
WITHDRAW = Move("wd", S.SUBMITTED, S.WITHDRAWN, Decision.WITHDRAW, Action.APPLY)

MOVES = (
    Move("rec", S.SUBMITTED, S.RECOMMENDED, Decision.RECOMMEND, Action.RECOMMEND, needs_reason=True),  # 推荐意见
    Move("ret", S.SUBMITTED, S.RETURNED, Decision.RETURN, Action.RECOMMEND, needs_reason=True),
    Move("rej", S.SUBMITTED, S.REJECTED, Decision.REJECT, Action.RECOMMEND, needs_reason=True),
    Move("pass", S.RECOMMENDED, S.REVIEWED, Decision.PASS_REVIEW, Action.ASSOCIATION_REVIEW),
    Move("ret", S.RECOMMENDED, S.RETURNED, Decision.RETURN, Action.ASSOCIATION_REVIEW, needs_reason=True),
    Move("rej", S.RECOMMENDED, S.REJECTED, Decision.REJECT, Action.ASSOCIATION_REVIEW, needs_reason=True),
    # closed by the expert whose sheet completes the evaluation; nobody presses it
    Move("close", S.REVIEWED, S.EVALUATED, Decision.SCORE, Action.SCORE, button=False),
    END,
    Move("notice", S.EVALUATED, S.PUBLIC_NOTICE, Decision.START_NOTICE, Action.START_NOTICE),
    Move("rej", S.EVALUATED, S.REJECTED, Decision.REJECT, Action.START_NOTICE, needs_reason=True),
    Move("name", S.PUBLIC_NOTICE, S.NAMED, Decision.NAME, Action.NAME),
    Move("rej", S.PUBLIC_NOTICE, S.REJECTED, Decision.REJECT, Action.NAME, needs_reason=True),
)


def find(key: str, at: ApplicationStage) -> Move | None:
    """The move of this key from this stage."""
    return next((m for m in MOVES if m.key == key and m.at is at), None)


def words_of(move: Move) -> str:
    """The suffix of a move's messages: the district's refusal is 不予推荐 (第九条), the association's 不予通过."""
    return "rej_district" if move.key == "rej" and move.at is S.SUBMITTED else move.key


def label(t: Translator, move: Move, *, below_pass: bool = False) -> str:
    """A move's button label; starting a notice below the pass line says that a reason will be asked."""
    return t(f"application.button.{words_of(move)}" + ("_below" if move.key == "notice" and below_pass else ""))


def buttons(ctx: Context, t: Translator, app: Application, *, below_pass: bool = False) -> tuple[Button, ...]:
    """The decision buttons of the application's current stage."""
    return tuple(
        ctx.button(label(t, m, below_pass=below_pass), ApplicationPress(m.key, app.id, CODES[app.stage]))
        for m in MOVES
        if m.at is app.stage and m.button
    )
