"""回避: an expert stands aside from a studio they are tied to — the one rule, read from plain values.

第六条's expert committee reviews independently: an expert does not score a studio they belong to, one of
their own enterprise, or one under their own district or enterprise union.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Tie(StrEnum):
    """Why an expert stands aside (message ids committee.recusal.<value>)."""

    MEMBER = "member"  # they lead or belong to the studio
    ENTERPRISE = "enterprise"  # the studio is of their enterprise
    UNION = "union"  # the studio is under a district or enterprise union they belong to


@dataclass(frozen=True, slots=True)
class Recusal:
    """Why one expert stands aside from one studio; for UNION, the union they share (nearest the studio)."""

    tie: Tie
    union_id: int | None = None


def same_enterprise(a: str, b: str) -> bool:
    """Whether two enterprise names name the same (non-empty) enterprise."""
    return bool(a.strip()) and a.strip() == b.strip()


def recusal(
    *,
    belongs: bool,
    enterprise: str,
    home_union_ids: Collection[int],
    studio_enterprise: str,
    studio_union_ids: Sequence[int],
) -> Recusal | None:
    """Why an expert stands aside from a studio, or None when they may score it.

    `studio_union_ids`: the studio's unions below the association, nearest first.
    """
    if belongs:
        return Recusal(Tie.MEMBER)
    if same_enterprise(enterprise, studio_enterprise):
        return Recusal(Tie.ENTERPRISE)
    shared = next((u for u in studio_union_ids if u in home_union_ids), None)
    return Recusal(Tie.UNION, shared) if shared is not None else None
