"""What an open question keeps between turns: a draft answer (too long, or heard by voice) and answers offered."""

from __future__ import annotations

from typing import Any

from handlers.engine.answers import DRAFT
from handlers.engine.flow import Choice, Values

OFFERED = "_offered"  # answers a problem offered as buttons ({"key", "choices": [[value, label], …]})
DRAFT_MOST = 10_000  # characters of an answer kept as a draft


def keep(values: Values, key: str, text: str, *, heard: bool = False) -> None:
    """Keep an answer for the question `key` until it is answered or left (heard: speech recognition's)."""
    values[DRAFT] = {"key": key, "text": text[:DRAFT_MOST], **({"heard": True} if heard else {})}


def draft_of(values: Values, key: str) -> dict[str, Any] | None:
    """The draft kept for the question `key`, if any."""
    draft = values.get(DRAFT)
    return draft if isinstance(draft, dict) and draft.get("key") == key else None


def offer(values: Values, key: str, choices: tuple[Choice, ...]) -> None:
    """Offer answers to the question `key` as buttons until it is answered or left."""
    values[OFFERED] = {"key": key, "choices": [[choice.value, choice.label] for choice in choices]}


def offered(values: Values, key: str) -> list[Choice]:
    """The answers offered to the question `key`."""
    kept = values.get(OFFERED)
    if not isinstance(kept, dict) or kept.get("key") != key:
        return []
    return [Choice(value, str(label)) for value, label in kept.get("choices") or []]


def leave(values: Values, state: str) -> None:
    """Forget what was kept for a question other than `state` (the one now open)."""
    for name in (DRAFT, OFFERED):
        kept = values.get(name)
        if isinstance(kept, dict) and kept.get("key") != state:
            values.pop(name)
