"""Which union reviews a studio: the nearest district/industry union above it, else the municipal association."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from storage.models import UnionLevel


class _Leveled(Protocol):
    @property
    def level(self) -> UnionLevel: ...


U = TypeVar("U", bound=_Leveled)


def reviewing_union(chain: Sequence[U]) -> U | None:
    """Given a studio's union chain (nearest first): the nearest district/industry union, else the association.

    The one rule for who reviews a studio: review notices, permissions and reminders all use it.
    """
    for union in chain:
        if union.level in (UnionLevel.DISTRICT, UnionLevel.INDUSTRY):
            return union
    return next((u for u in chain if u.level is UnionLevel.MUNICIPAL), None)
