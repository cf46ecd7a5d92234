"""The checks every feature asks: who the speaker is to the table, may they do this (to this studio, entry), and the
polite refusal."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Context
from handlers.roles.matching import decide
from handlers.roles.permissions import TABLE, Action, Grant, Scope, Subject, Target
from handlers.roles.reviewing import reviewing_union
from storage.models import DECIDING_ROLES, LedgerEntry, Role, RoleKind, Studio, Union, UnionLevel
from storage.repos import committee, delegations, org

# What an action's rules can use. Delegations hand on deciding roles only, and only these scopes look at the unions
# above the studio: a check of an action whose rules use neither does not read them (its answer is the same).
_ON_CHAIN = frozenset({Scope.REVIEWING, Scope.ENTERPRISE, Scope.INDEPENDENT})
_DELEGABLE = {action: any(kind in DECIDING_ROLES for kind, _ in rules) for action, rules in TABLE.items()}
_CHAINED = {action: any(scope in _ON_CHAIN for _, scope in rules) for action, rules in TABLE.items()}


async def subject_of(ctx: Context, *, delegated: bool = True) -> Subject:
    """The speaker as a permission subject: own roles, then (`delegated`) roles held for a delegating reviewer."""
    if ctx.person is None:
        return Subject(person_id=None)
    pairs: list[tuple[Role, int | None]] = [(role, None) for role in ctx.roles]
    if delegated:
        held = await delegations.roles_held_for(session=ctx.session, delegate_id=ctx.person.id, on=ctx.today)
        pairs += [(r, r.person_id) for r in held]
    # one query for every union a role is held in (leads and members hold none)
    union_ids = {role.union_id for role, _ in pairs if role.union_id is not None}
    levels = await org.levels_of(session=ctx.session, union_ids=union_ids)
    grants = tuple(
        Grant(role.kind, role.studio_id, role.union_id, levels.get(role.union_id or 0), behalf)
        for role, behalf in pairs
        if behalf != ctx.person.id
    )
    home: frozenset[int] = frozenset()
    if any(g.kind is RoleKind.EXPERT for g in grants):  # only an expert's ties matter, and only they cost the query
        home = (await committee.home_unions(session=ctx.session, people=[ctx.person]))[ctx.person.id]
    return Subject(person_id=ctx.person.id, enterprise=ctx.person.enterprise, grants=grants, home_union_ids=home)


async def target_of(
    session: AsyncSession, studio: Studio | None, entry: LedgerEntry | None = None, *, chain: bool = True
) -> Target:
    """The permission target for a studio (and an entry of it); without `chain`, the unions above it left unread."""
    if studio is None:
        return Target()
    unions = await org.union_chain(session=session, union_id=studio.union_id) if chain else []
    return target_from(studio, unions, entry)


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
    subject = await subject_of(ctx, delegated=_DELEGABLE[action])
    return decide(subject, action, await target_of(ctx.session, studio, entry, chain=_CHAINED[action]))


async def permitted(
    ctx: Context, actions: Iterable[Action], *, studio: Studio | None = None, entry: LedgerEntry | None = None
) -> frozenset[Action]:
    """Which of these actions the speaker may do on this studio / entry (the speaker and target read once)."""
    actions = list(actions)
    subject = await subject_of(ctx, delegated=any(_DELEGABLE[a] for a in actions))
    target = await target_of(ctx.session, studio, entry, chain=any(_CHAINED[a] for a in actions))
    return frozenset(action for action in actions if decide(subject, action, target) is not None)


def refusal(ctx: Context, action: Action) -> str:
    """The polite refusal for an action the speaker may not do, in their language."""
    return ctx.t(f"permissions.refused.{action.value}")
