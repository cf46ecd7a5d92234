"""THE table applied: which of a subject's grants lets them do an action on a target, and who stands aside.

Pure: the subject and target are read already (checks.subject_of, checks.target_of).
"""

from __future__ import annotations

from handlers.roles.permissions import BOUND, NOT_ON_OWN_STUDIO, TABLE, Action, Grant, Scope, Subject, Target
from handlers.roles.recusal import Recusal, recusal
from storage.models import RoleKind, UnionLevel


def _fits(subject: Subject, grant: Grant, scope: Scope, target: Target) -> bool:
    if scope is Scope.ANYONE:
        return subject.person_id is not None
    if scope is Scope.STUDIO:
        return target.studio_id is not None and grant.studio_id == target.studio_id
    if scope is Scope.AUTHOR:
        return (
            target.studio_id is not None
            and grant.studio_id == target.studio_id
            and (subject.person_id is not None and subject.person_id == target.author_id)
        )
    if scope is Scope.REVIEWING:
        return target.reviewing_union_id is not None and grant.union_id == target.reviewing_union_id
    if scope is Scope.ASSOCIATION:
        return grant.union_level is UnionLevel.MUNICIPAL
    if scope is Scope.ENTERPRISE:
        return grant.union_id is not None and grant.union_id in target.enterprise_union_ids
    # INDEPENDENT: a member of the association's expert committee, not tied to the studio
    return grant.union_level is UnionLevel.MUNICIPAL and recused(subject, target) is None


def recused(subject: Subject, target: Target) -> Recusal | None:
    """Why the subject, as an expert, stands aside from the target studio (None: they may score it)."""
    return recusal(
        belongs=belongs(subject, target.studio_id),
        enterprise=subject.enterprise,
        home_union_ids=subject.home_union_ids,
        studio_enterprise=target.enterprise,
        studio_union_ids=target.union_ids,
    )


def belongs(subject: Subject, studio_id: int | None) -> bool:
    """Whether the subject leads or is a member of this studio."""
    return studio_id is not None and any(
        g.kind in (RoleKind.LEAD, RoleKind.MEMBER) and g.studio_id == studio_id for g in subject.grants
    )


def decide(subject: Subject, action: Action, target: Target) -> Grant | None:
    """The grant that allows `subject` to do `action` on `target`, own roles before delegated ones; None: refused."""
    if subject.person_id is None:
        return None
    if action in NOT_ON_OWN_STUDIO and belongs(subject, target.studio_id):
        return None
    return _by_table(subject, action, target)


def kept_off_own_studio(subject: Subject, action: Action, target: Target) -> bool:
    """Whether only NOT_ON_OWN_STUDIO refuses: the table would allow it, but the subject belongs to the studio."""
    if subject.person_id is None or action not in NOT_ON_OWN_STUDIO or not belongs(subject, target.studio_id):
        return False
    return _by_table(subject, action, target) is not None


def _by_table(subject: Subject, action: Action, target: Target) -> Grant | None:
    rules = TABLE[action]
    if (None, Scope.ANYONE) in rules:
        return BOUND
    ordered = sorted(subject.grants, key=lambda g: g.on_behalf_of is not None)
    for grant in ordered:
        for kind, scope in rules:
            if kind is grant.kind and _fits(subject, grant, scope, target):
                return grant
    return None


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
