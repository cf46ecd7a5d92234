"""One finding of the doctor: what is wrong where, whether it stalls the work, and its facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the operator should fix; `code` names its text (bot.health.texts renders it)."""

    code: str
    stalls: bool
    subject: str = ""  # a union, a studio, a setting or a channel: never a person
    params: dict[str, Any] = field(default_factory=dict)
    people: tuple[str, ...] = ()  # names the CLI may show to the operator; never logged


def stall(code: str, subject: str = "", *, people: tuple[str, ...] = (), **params: Any) -> Finding:
    """A finding that keeps somebody waiting in vain."""
    return Finding(code, True, subject, params, people)


def warn(code: str, subject: str = "", **params: Any) -> Finding:
    """A finding worth knowing that stalls nothing yet."""
    return Finding(code, False, subject, params)
