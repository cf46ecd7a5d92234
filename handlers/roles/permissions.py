"""Who may do what: ONE table of roles × actions, the grants, subjects and targets it speaks of, and the speaker.

matching applies the table to a subject and a target; checks reads the speaker and is what features ask it;
reviewing says which union reviews a studio.

A grant is (role kind, scope): the scope says how the role must relate to the studio acted on.
A reviewer of a district/industry union reviews the studios whose union is that union or an
enterprise union under it; the association officer holds the union of level municipal and reviews
the studios no district is above. An enterprise union contact reads the studios of its enterprise
union and decides nothing; the system admin reads and manages people, and decides nothing.
A stand-in (storage Delegation, in force today) holds the delegating person's deciding roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models import RoleKind, UnionLevel


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
