"""Unions, studios, their cycles, people, channel identities, roles and delegations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamped
from storage.models.enums import CycleResult, RoleKind, StudioStatus, UnionLevel


class Union(Timestamped, Base):
    """A trade union or technicians' association in the hierarchy municipal → district/industry → enterprise."""

    __tablename__ = "unions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[UnionLevel]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())  # deactivated, never deleted

    parent: Mapped[Union | None] = relationship(remote_side=[id], lazy="raise")


class Studio(Timestamped, Base):
    """A technician innovation studio (技师创新工作室)."""

    __tablename__ = "studios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    enterprise: Mapped[str] = mapped_column(String(200), default="")
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    venue: Mapped[str] = mapped_column(Text, default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StudioStatus] = mapped_column(default=StudioStatus.PROSPECTIVE)
    named_on: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=true())  # deactivated, never deleted

    union: Mapped[Union] = relationship(lazy="raise")


class Cycle(Timestamped, Base):
    """A three-year management cycle of a named studio (第十条) and its assessment."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("studio_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    result: Mapped[CycleResult | None]
    reason: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime | None]
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # the assessment figures as they stood at the cycle's end (考核验收 judges these, whatever changes later)
    frozen_figures: Mapped[dict[str, Any] | None]


class Person(Timestamped, Base):
    """Somebody who uses the bot; reaches it through one or more channel identities."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(32))
    enterprise: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    reminders_paused_until: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=true())  # false once merged into another


class ChannelIdentity(Timestamped, Base):
    """One account of a person on one channel (Telegram user, WeChat openid, WeCom userid, console)."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128), default="")
    last_inbound_at: Mapped[datetime | None]


class Role(Timestamped, Base):
    """A role of a person: lead or member of a studio, or reviewer, admin or expert of a union."""

    __tablename__ = "roles"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "studio_id", "union_id"),
        Index("ix_roles_studio_kind", "studio_id", "kind"),
        Index("ix_roles_union_kind", "union_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[RoleKind]
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"))
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"))
    active: Mapped[bool] = mapped_column(default=True)


class Delegation(Timestamped, Base):
    """A reviewer's stand-in for a period: receives and may decide the reviewer's reviews."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    revoked_at: Mapped[datetime | None]
