"""A reminder the policy wants to send: key, recipient, message id and parameters, buttons."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core.payloads import Press
from handlers.core.presses import GoPress, ReviewAction, ReviewPress


@dataclass(frozen=True, slots=True)
class Msg:
    """A parameter that is itself a catalogue message, translated for the recipient."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class Names:
    """A list of names shown joined in the recipient's language, the first `shown` of them."""

    names: tuple[str, ...]
    shown: int = 10


@dataclass(frozen=True, slots=True)
class Action:
    """A button on a reminder: its label's message id and what pressing it does."""

    label_key: str
    press: Press


GO_ACTIVITY = Action("reminders.button.activity", GoPress("activity"))
GO_LEDGER = Action("reminders.button.ledger", GoPress("ledger"))
GO_PENDING = Action("reminders.button.pending", GoPress("pending"))
GO_APPLY = Action("reminders.button.apply", GoPress("apply"))


def open_review(entry_id: int) -> Action:
    """The button that opens one entry's review."""
    return Action("reminders.button.open_review", ReviewPress(ReviewAction.OPEN, entry_id))


@dataclass(slots=True)
class Candidate:
    """One reminder to one person under one idempotency key."""

    key: str
    person_id: int
    topic: str
    text_key: str
    params: dict[str, object] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    union_id: int | None = None  # set on digests, whose figures are filled in only when they are due
