"""Every kind of button the bot sends, one frozen dataclass each; `handlers.core.payloads` packs and checks them.

To add one: declare a class here with a new short prefix and its fields (int, str, a StrEnum, or one of these
or None; the longest realistic payload must fit 64 bytes, a test packs every class), make buttons with
`ctx.button(label, TheNewPress(...))`, and register its handler with `@router.button(TheNewPress)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core import payloads
from handlers.core.payloads import Press


class FlowOp(StrEnum):
    """What a button of an open conversation does; one letter each, to keep payloads short."""

    CHOOSE = "c"  # pick option `arg`
    TOGGLE = "m"  # tick or untick option `arg` of a multiple choice
    FIELD = "f"  # change the field of step `arg` (the edit menu)
    DONE = "d"
    SKIP = "k"
    BACK = "b"
    CANCEL = "x"
    SUBMIT = "s"
    EDIT = "e"
    DRAFT = "t"  # answer with the kept draft: an over-long answer's first N characters, or what was heard


NAVIGATION = frozenset({FlowOp.SKIP, FlowOp.BACK, FlowOp.CANCEL})  # words every step understands too


@dataclass(frozen=True)
class FlowPress(Press, prefix="fl"):
    """A button of one conversation (its random id) at one version of its state."""

    conversation: str
    version: int
    op: FlowOp
    arg: int | None = None


@dataclass(frozen=True)
class GoPress(Press, prefix="go"):
    """Run a command, as if its word were typed (记录活动, 待审 …)."""

    command: str


@dataclass(frozen=True)
class StudioPress(Press, prefix="sp"):
    """Run a command that acts on a studio (导出, 统计, 考核, 履历) for the studio offered on the button."""

    command: str
    studio_id: int


class ReviewAction(StrEnum):
    """What a review button does."""

    OPEN = "open"
    BATCH = "batch"
    FILES = "files"  # send the entry's attached files
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


@dataclass(frozen=True)
class ReviewPress(Press, prefix="rv"):
    """Open an entry for review, approve several, or decide one version of an entry."""

    action: ReviewAction
    entry_id: int | None = None
    version: int | None = None


class LedgerAction(StrEnum):
    """What a button of 我的台账 does."""

    LIST = "l"
    OPEN = "o"
    EDIT = "e"
    ASK_WITHDRAW = "w"
    WITHDRAW = "W"


@dataclass(frozen=True)
class LedgerPress(Press, prefix="lg"):
    """A press in the ledger view: `number` is the list's offset for LIST, else the entry's id."""

    action: LedgerAction
    number: int = 0
    version: int | None = None  # WITHDRAW: the version the person saw


@dataclass(frozen=True)
class ApplicationPress(Press, prefix="ap"):
    """A press on an application's card: a move's key (or "open", "score"), and the stage code it was made at."""

    move: str
    application_id: int
    stage: str | None = None


@dataclass(frozen=True)
class CyclePress(Press, prefix="cy"):
    """A press on a management cycle's 考核验收 card: "open" it, or "score" it (an expert)."""

    action: str
    cycle_id: int


class ObjectionAction(StrEnum):
    """What an objection button does."""

    NEW = "new"  # raise one against application `target`
    OPEN = "open"
    UPHOLD = "up"
    DISMISS = "dis"


@dataclass(frozen=True)
class ObjectionPress(Press, prefix="ob"):
    """Raise an objection to an application, or open or resolve objection `target`."""

    action: ObjectionAction
    target: int


def navigation(payload: str) -> FlowOp | None:
    """SKIP, BACK or CANCEL if the payload is a conversation's navigation button (for display: not verified)."""
    press = payloads.peek(payload)
    return press.op if isinstance(press, FlowPress) and press.op in NAVIGATION else None


def answers_question(payload: str) -> bool:
    """Whether the payload is a conversation's button that answers its question (not a toggle, which redraws it):
    a channel may take the question's keyboard away once it is pressed (for display: not verified)."""
    press = payloads.peek(payload)
    return isinstance(press, FlowPress) and press.op is not FlowOp.TOGGLE
