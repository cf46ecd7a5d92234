"""The closed vocabularies of the domain, stored by value."""

from __future__ import annotations

from enum import StrEnum


class UnionLevel(StrEnum):
    MUNICIPAL = "municipal"
    DISTRICT = "district"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"


class RoleKind(StrEnum):
    """The roles of the measures: handlers/roles/permissions.py says what each may do."""

    LEAD = "lead"  # 领衔人 of a studio
    MEMBER = "member"  # 工作室成员
    ENTERPRISE = "enterprise"  # 企业工会联络人: held on an enterprise union, reads its studios, decides nothing
    REVIEWER = "reviewer"  # 区县局（产业）工会: 复核 of entries, 推荐
    ASSOCIATION = "association"  # 市职工技协: 审核, 公示, objections, 命名, 考核验收
    EXPERT = "expert"  # 专家咨询委员会
    ADMIN = "admin"  # 系统管理员: people and roles, no programme decision


STUDIO_ROLES = frozenset({RoleKind.LEAD, RoleKind.MEMBER})
UNION_ROLES = frozenset({RoleKind.ENTERPRISE, RoleKind.REVIEWER, RoleKind.ASSOCIATION, RoleKind.EXPERT, RoleKind.ADMIN})
# Union roles that read the studios under their union and receive its reminders and digests (experts do not).
OFFICER_ROLES = frozenset({RoleKind.ENTERPRISE, RoleKind.REVIEWER, RoleKind.ASSOCIATION, RoleKind.ADMIN})
# Roles whose decisions a stand-in may take over for a holiday (委托).
DECIDING_ROLES = frozenset({RoleKind.REVIEWER, RoleKind.ASSOCIATION})
# The union levels a union role may be held on (absent: any level).
ROLE_UNION_LEVELS: dict[RoleKind, frozenset[UnionLevel]] = {
    RoleKind.ENTERPRISE: frozenset({UnionLevel.ENTERPRISE}),
    RoleKind.REVIEWER: frozenset({UnionLevel.DISTRICT, UnionLevel.INDUSTRY}),
    RoleKind.ASSOCIATION: frozenset({UnionLevel.MUNICIPAL}),
}


def role_fits_union(kind: RoleKind, level: UnionLevel) -> bool:
    """Whether a union role may be held on a union of this level (the association only on the municipal one)."""
    return level in ROLE_UNION_LEVELS.get(kind, frozenset(UnionLevel))


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
