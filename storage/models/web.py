"""The web console's one-time sign-in links and server-side sessions (both stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped


class WebLink(Timestamped, Base):
    """A one-time sign-in link: the sha256 of its secret part, whose person, until when, whether used."""

    __tablename__ = "web_links"
    __table_args__ = (Index("ix_web_links_person_created", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Timestamped, Base):
    """A signed-in browser: the sha256 of its cookie, the person, when last seen (idle timeout), revocation."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
