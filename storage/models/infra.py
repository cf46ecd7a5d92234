"""What the bot keeps to run: conversations, seen deliveries, outbox, invites, tokens, channel refs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped, utcnow
from storage.models.enums import OutboxStatus, RoleKind


class Conversation(Base):
    """The state of one guided conversation, persisted after every step."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeenDelivery(Base):
    """An inbound delivery already taken in; a platform's retry of it is absorbed."""

    __tablename__ = "seen_deliveries"
    __table_args__ = (
        UniqueConstraint("channel", "delivery_id"),
        Index("ix_seen_deliveries_owed", "channel", "user_id", "owed"),
        # the senders still owed replies, read without the rows owing nothing (nearly all): the first reading after
        # a start covers every day kept; the predicate is spelt as each dialect renders owed.is_(True)
        Index(
            "ix_seen_deliveries_owing",
            "seen_at",
            "channel",
            "user_id",
            postgresql_where=text("owed IS true"),
            sqlite_where=text("owed IS 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(191))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    response: Mapped[dict[str, Any] | None]
    # replies committed but not yet confirmed sent by a channel that sends after the turn (a crash between
    # the two would lose them): the sender's next turn delivers them first
    user_id: Mapped[str | None] = mapped_column(String(191))
    owed: Mapped[bool] = mapped_column(default=False, server_default=false())


class OutboxMessage(Timestamped, Base):
    """A message to push (reminder or notification), sent once by the sender."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(191), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="notice")
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[OutboxStatus] = mapped_column(default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class InviteCode(Timestamped, Base):
    """A one-time binding code, stored only as its hash."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[RoleKind]
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"))
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_identity_id: Mapped[int | None] = mapped_column(ForeignKey("channel_identities.id"))


class BindAttempt(Base):
    """A failed binding attempt, counted to refuse guessing."""

    __tablename__ = "bind_attempts"
    # by sender (the per-account limit) and by time alone (the global limit counts everyone's recent failures)
    __table_args__ = (Index("ix_bind_attempts_who", "channel", "user_id", "at"), Index("ix_bind_attempts_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessToken(Base):
    """A platform access token shared by every process until it expires."""

    __tablename__ = "access_tokens"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelRef(Base):
    """A channel's server-side note: a menu id for a payload, a card's response code, a message id."""

    __tablename__ = "channel_refs"
    __table_args__ = (UniqueConstraint("channel", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(191))
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]


class Lease(Base):
    """A named lease held by one process (the SQLite stand-in for an advisory lock; also a heartbeat)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
