"""The three ledgers (第七条): an entry with its status, and one immutable row per version."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Hours, Timestamped, utcnow
from storage.models.enums import EntryStatus, LedgerKind


class LedgerEntry(Timestamped, Base):
    """One ledger entry; its content lives in versions, its review state here."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_entries_studio_kind_status", "studio_id", "kind", "status"),
        Index("ix_entries_status_changed", "status", "status_changed_at"),
        # the console's overview: last activity and activities per month of many studios, from the index alone
        Index("ix_entries_kind_status_day", "kind", "status", "occurred_on", "studio_id"),
        # the reminder planner: each studio's newest entry of a kind, one index probe per studio
        Index("ix_entries_studio_kind_id", "studio_id", "kind", "id"),
        # the monthly digest: entries created in a month, per studio, from the index alone
        Index("ix_entries_created_studio", "created_at", "studio_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    kind: Mapped[LedgerKind]
    status: Mapped[EntryStatus] = mapped_column(default=EntryStatus.SUBMITTED)
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    occurred_on: Mapped[date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class _Version(Timestamped):
    """Columns every version row has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    version: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))


class ActivityVersion(_Version, Base):
    """Daily activity ledger (日常活动台账)."""

    __tablename__ = "activity_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    occurred_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(300), default="")
    participants: Mapped[list[str]] = mapped_column(default=list)
    # how many took part: the names are optional, so the count is kept beside them (issue 19)
    participant_count: Mapped[int] = mapped_column(server_default="0")
    hours: Mapped[Decimal] = mapped_column(Hours)
    content: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")


class OutcomeVersion(_Version, Base):
    """Innovation-outcome ledger (创新成果台账)."""

    __tablename__ = "outcome_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32))
    team: Mapped[list[str]] = mapped_column(default=list)
    recorded_on: Mapped[date]
    applied: Mapped[bool] = mapped_column(default=False)
    applied_since: Mapped[date | None]
    funding_amount: Mapped[Decimal | None]
    funding_scheme: Mapped[str | None] = mapped_column(String(100))
    patent_kind: Mapped[str | None] = mapped_column(String(16))
    patent_number: Mapped[str | None] = mapped_column(String(64))
    patent_status: Mapped[str | None] = mapped_column(String(32))
    benefit_wan: Mapped[Decimal | None]
    awards: Mapped[str] = mapped_column(Text, default="")


class TrainingVersion(_Version, Base):
    """Training and master-apprentice mentoring (培训/高师带徒)."""

    __tablename__ = "training_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    held_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    mentor: Mapped[str] = mapped_column(String(100), default="")
    trainees: Mapped[list[str]] = mapped_column(default=list)
    trainee_count: Mapped[int] = mapped_column(server_default="0")  # as participant_count
    hours: Mapped[Decimal] = mapped_column(Hours)
    topic: Mapped[str] = mapped_column(String(300))
    result: Mapped[str] = mapped_column(Text, default="")
    promoted_grade: Mapped[str | None] = mapped_column(String(32))
    promoted_count: Mapped[int] = mapped_column(default=0)


class Attachment(Timestamped, Base):
    """A photo or file kept as evidence; the channel reference expires, the stored copy does not."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    entry_version: Mapped[int | None]
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    file_ref: Mapped[str] = mapped_column(String(512))
    stored_path: Mapped[str] = mapped_column(String(1024))
    filename: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")  # the words sent with it
