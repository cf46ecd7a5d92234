"""The closed vocabularies of the domain, stored by value."""

from __future__ import annotations

from enum import StrEnum


class UnionLevel(StrEnum):
    MUNICIPAL = "municipal"
    DISTRICT = "district"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"


class RoleKind(StrEnum):
    LEAD = "lead"
    MEMBER = "member"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    EXPERT = "expert"


STUDIO_ROLES = frozenset({RoleKind.LEAD, RoleKind.MEMBER})
UNION_ROLES = frozenset({RoleKind.REVIEWER, RoleKind.ADMIN, RoleKind.EXPERT})


class StudioStatus(StrEnum):
    """Where a studio stands along the application life (第五条–第十条)."""

    PROSPECTIVE = "prospective"
    APPLYING = "applying"
    NAMED = "named"
    NOT_RETAINED = "not_retained"


class ApplicationStage(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECOMMENDED = "recommended"
    REVIEWED = "reviewed"
    EVALUATED = "evaluated"
    PUBLIC_NOTICE = "public_notice"
    NAMED = "named"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class LedgerKind(StrEnum):
    ACTIVITY = "activity"
    OUTCOME = "outcome"
    TRAINING = "training"


class EntryStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    RECOMMEND = "recommend"
    PASS_REVIEW = "pass_review"  # noqa: S105 - a stage name, not a password
    SCORE = "score"
    START_NOTICE = "start_notice"
    NAME = "name"
    WITHDRAW = "withdraw"  # the applicant took a submitted application back before the district acted


class CycleResult(StrEnum):
    COMMENDED = "commended"
    RETAINED = "retained"
    NOT_RETAINED = "not_retained"


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    NEEDS_LOOK = "needs_look"
    CANCELLED = "cancelled"


# Technician grades as the national vocational qualification system names them, lowest first.
GRADES = ("初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师")
LEAD_GRADES = frozenset({"技师", "高级技师", "特级技师", "首席技师"})
