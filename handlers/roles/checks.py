"""The checks every feature asks: may the speaker do this (to this studio, entry), and the polite refusal."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Context
from handlers.roles.matching import decide
from handlers.roles.permissions import Action, Grant, Target, reviewing_union, subject_of
from storage.models import LedgerEntry, Studio, Union, UnionLevel
from storage.repos import org


async def target_of(session: AsyncSession, studio: Studio | None, entry: LedgerEntry | None = None) -> Target:
    """The permission target for a studio (and an entry of it)."""
    if studio is None:
        return Target()
    return target_from(studio, await org.union_chain(session=session, union_id=studio.union_id), entry)


def target_from(studio: Studio, chain: list[Union], entry: LedgerEntry | None = None) -> Target:
    """The permission target for a studio whose union chain is already loaded (lists check many at once)."""
    reviewing = reviewing_union(chain)
    return Target(
        studio_id=studio.id,
        enterprise=studio.enterprise,
        reviewing_union_id=reviewing.id if reviewing else None,
        author_id=entry.author_id if entry else None,
        union_ids=tuple(u.id for u in chain if u.level is not UnionLevel.MUNICIPAL),
        enterprise_union_ids=tuple(u.id for u in chain if u.level is UnionLevel.ENTERPRISE),
    )


async def check(
    ctx: Context, action: Action, *, studio: Studio | None = None, entry: LedgerEntry | None = None
) -> Grant | None:
    """Whether the speaker may do `action` (on this studio / entry): the grant that allows it, or None."""
    subject = await subject_of(ctx)
    return decide(subject, action, await target_of(ctx.session, studio, entry))


async def permitted(
    ctx: Context, actions: Iterable[Action], *, studio: Studio | None = None, entry: LedgerEntry | None = None
) -> frozenset[Action]:
    """Which of these actions the speaker may do on this studio / entry (the speaker and target read once)."""
    subject = await subject_of(ctx)
    target = await target_of(ctx.session, studio, entry)
    return frozenset(action for action in actions if decide(subject, action, target) is not None)


def refusal(ctx: Context, action: Action) -> str:
    """The polite refusal for an action the speaker may not do, in their language."""
    return ctx.t(f"permissions.refused.{action.value}")
