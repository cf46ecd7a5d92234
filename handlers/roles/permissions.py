"""Who may do what: ONE table of roles × actions, the grants, subjects and targets it speaks of, and the speaker.

matching applies the table to a subject and a target; checks is what features ask it.

A grant is (role kind, scope): the scope says how the role must relate to the studio acted on.
A reviewer of a district/industry union reviews the studios whose union is that union or an
enterprise union under it; the association officer holds the union of level municipal and reviews
the studios no district is above. An enterprise union contact reads the studios of its enterprise
union and decides nothing; the system admin reads and manages people, and decides nothing.
A stand-in (storage Delegation, in force today) holds the delegating person's deciding roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from handlers.engine.context import Context
from storage.models import Role, RoleKind, UnionLevel
from storage.repos import committee, delegations, org


class Action(StrEnum):
    """Everything a person may be allowed or refused."""

    LOG_ENTRY = "log_entry"
    VIEW_ENTRIES = "view_entries"
    EDIT_ENTRY = "edit_entry"
    WITHDRAW_ENTRY = "withdraw_entry"
    REVIEW_ENTRY = "review_entry"
    APPLY = "apply"
    RECOMMEND = "recommend"
    ASSOCIATION_REVIEW = "association_review"
    SCORE = "score"
    START_NOTICE = "start_notice"
    RAISE_OBJECTION = "raise_objection"
    RESOLVE_OBJECTION = "resolve_objection"
    NAME = "name"
    ASSESS_CYCLE = "assess_cycle"
    EXPORT = "export"
    VIEW_ASSESSMENT = "view_assessment"
    VIEW_AUDIT = "view_audit"
    SET_WINDOW = "set_window"
    EXPORT_MEMBERS = "export_members"


class Scope(StrEnum):
    """How a role must relate to the studio (or entry) acted on."""

    STUDIO = "studio"  # a role in this very studio
    AUTHOR = "author"  # a role in this studio, and the author of the entry
    REVIEWING = "reviewing"  # a role in the union that reviews this studio
    ASSOCIATION = "association"  # a role in the municipal association
    ENTERPRISE = "enterprise"  # a role in an enterprise union of the studio's chain
    INDEPENDENT = "independent"  # an expert of the association, not tied to the studio (recusal.py)
    ANYONE = "anyone"  # any bound person


L, M, EN, R, S, E, A = (
    RoleKind.LEAD,
    RoleKind.MEMBER,
    RoleKind.ENTERPRISE,
    RoleKind.REVIEWER,
    RoleKind.ASSOCIATION,
    RoleKind.EXPERT,
    RoleKind.ADMIN,
)
# Who reads a studio without deciding on it: its unions' officers, its enterprise union, the system admin.
_READERS = frozenset(
    {
        (R, Scope.REVIEWING),
        (S, Scope.ASSOCIATION),
        (EN, Scope.ENTERPRISE),
        (A, Scope.REVIEWING),
        (A, Scope.ASSOCIATION),
        (A, Scope.ENTERPRISE),
    }
)
# Where no district is above a studio the association reviews its entries and recommends it.
_REVIEWS = frozenset({(R, Scope.REVIEWING), (S, Scope.REVIEWING)})
_ASSOCIATION = frozenset({(S, Scope.ASSOCIATION)})

# THE table. Studios log; district reviewers review and recommend; the association decides the
# programme; experts score; enterprise unions and the system admin only read.
TABLE: dict[Action, frozenset[tuple[RoleKind | None, Scope]]] = {
    Action.LOG_ENTRY: frozenset({(L, Scope.STUDIO), (M, Scope.STUDIO)}),
    Action.VIEW_ENTRIES: frozenset({(L, Scope.STUDIO), (M, Scope.STUDIO)}) | _READERS,
    Action.EDIT_ENTRY: frozenset({(L, Scope.STUDIO), (M, Scope.AUTHOR)}),
    Action.WITHDRAW_ENTRY: frozenset({(L, Scope.STUDIO), (M, Scope.AUTHOR)}),
    Action.REVIEW_ENTRY: _REVIEWS,
    Action.APPLY: frozenset({(L, Scope.STUDIO)}),
    Action.RECOMMEND: _REVIEWS,
    Action.ASSOCIATION_REVIEW: _ASSOCIATION,
    Action.SCORE: frozenset({(E, Scope.INDEPENDENT)}),
    Action.START_NOTICE: _ASSOCIATION,
    Action.RAISE_OBJECTION: frozenset({(None, Scope.ANYONE)}),
    Action.RESOLVE_OBJECTION: _ASSOCIATION,
    Action.NAME: _ASSOCIATION,
    Action.ASSESS_CYCLE: _ASSOCIATION,
    Action.EXPORT: frozenset({(L, Scope.STUDIO)}) | _READERS,
    Action.VIEW_ASSESSMENT: frozenset({(L, Scope.STUDIO)}) | _READERS,
    Action.VIEW_AUDIT: frozenset({(L, Scope.STUDIO)}) | _READERS,
    Action.SET_WINDOW: _ASSOCIATION,
    Action.EXPORT_MEMBERS: frozenset({(R, Scope.REVIEWING), (S, Scope.ASSOCIATION)}),
}


@dataclass(frozen=True, slots=True)
class Grant:
    """A role a person holds (or holds for a reviewer who delegated to them)."""

    kind: RoleKind | None
    studio_id: int | None = None
    union_id: int | None = None
    union_level: UnionLevel | None = None
    on_behalf_of: int | None = None  # the reviewer whose role a delegate uses


BOUND = Grant(kind=None)  # what "any bound person" is allowed by


@dataclass(frozen=True, slots=True)
class Subject:
    """Who acts: the person (None if unbound), their enterprise, their grants."""

    person_id: int | None
    enterprise: str = ""
    grants: tuple[Grant, ...] = ()
    home_union_ids: frozenset[int] = frozenset()  # an expert's own unions below the association (recusal)


@dataclass(frozen=True, slots=True)
class Target:
    """What is acted on: a studio (or none, for union-wide acts) and the author of an entry."""

    studio_id: int | None = None
    enterprise: str = ""
    reviewing_union_id: int | None = None
    author_id: int | None = None
    union_ids: tuple[int, ...] = ()  # the studio's unions below the association, nearest first
    enterprise_union_ids: tuple[int, ...] = ()  # the enterprise unions in the studio's chain


# Nobody decides on, scores or objects to a studio they lead or belong to (a reviewer who is also its
# member, a stand-in from it, its own lead objecting in 公示), whatever their other roles allow.
NOT_ON_OWN_STUDIO = frozenset(
    {
        Action.REVIEW_ENTRY,
        Action.RECOMMEND,
        Action.ASSOCIATION_REVIEW,
        Action.SCORE,
        Action.START_NOTICE,
        Action.RAISE_OBJECTION,
        Action.RESOLVE_OBJECTION,
        Action.NAME,
        Action.ASSESS_CYCLE,
    }
)


def could_ever(subject: Subject, action: Action) -> bool:
    """Whether some studio could exist on which the subject's grants allow `action` (what help offers)."""
    if subject.person_id is None:
        return False
    for kind, scope in TABLE[action]:
        if scope is Scope.ANYONE:
            return True
        for grant in subject.grants:
            if kind is grant.kind and _could_fit(grant, scope):
                return True
    return False


def _could_fit(grant: Grant, scope: Scope) -> bool:
    if scope in (Scope.STUDIO, Scope.AUTHOR):
        return grant.studio_id is not None
    if scope is Scope.ASSOCIATION:
        return grant.union_level is UnionLevel.MUNICIPAL
    if scope is Scope.INDEPENDENT:
        return grant.union_level is UnionLevel.MUNICIPAL  # the association's expert committee
    return grant.union_id is not None  # REVIEWING, ENTERPRISE: a union role, some studio is under it


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


async def subject_of(ctx: Context) -> Subject:
    """The speaker as a permission subject: own roles, then roles held for a delegating reviewer."""
    if ctx.person is None:
        return Subject(person_id=None)
    pairs: list[tuple[Role, int | None]] = [(role, None) for role in ctx.roles]
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
    if any(g.kind is E for g in grants):  # only an expert's ties matter, and only they cost the query
        home = (await committee.home_unions(session=ctx.session, people=[ctx.person]))[ctx.person.id]
    return Subject(person_id=ctx.person.id, enterprise=ctx.person.enterprise, grants=grants, home_union_ids=home)
