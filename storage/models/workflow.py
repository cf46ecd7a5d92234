"""Review decisions, applications with expert scores and objections, and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped, utcnow
from storage.models.enums import ApplicationStage, Decision, ObjectionStatus


class ReviewDecision(Base):
    """A decision on one version of an entry or one stage of an application; at most one each."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        UniqueConstraint("entry_id", "entry_version"),
        UniqueConstraint("application_id", "stage"),
        # the monthly digest: a month's approvals without reading every decision
        Index("ix_decisions_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    entry_version: Mapped[int | None]
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    stage: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[Decision]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(Timestamped, Base):
    """A studio's application for the title (申报), moving through the stages of 第六条."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_stage", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    year: Mapped[int]
    stage: Mapped[ApplicationStage] = mapped_column(default=ApplicationStage.DRAFT)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None]
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    notice_starts_on: Mapped[date | None]
    notice_ends_on: Mapped[date | None]
    # a resubmission after 退回 points at the returned application, whose reason its deciders read
    resubmits_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))


class ExpertScore(Timestamped, Base):
    """One expert's scores of an application on the rubric (评审)."""

    __tablename__ = "expert_scores"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[Decimal]
    comment: Mapped[str] = mapped_column(Text, default="")


class Objection(Timestamped, Base):
    """An objection raised during the public notice (公示), to be resolved by a reviewer."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(default=ObjectionStatus.OPEN)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]


class AuditLog(Base):
    """One change of state: who, through which channel, when, on what, from, to, and why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"), Index("ix_audit_studio", "studio_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    version: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
