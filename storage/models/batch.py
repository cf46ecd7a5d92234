"""The yearly batch (第五条, 第九条): the association's application window per year, and the naming list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class ApplicationWindow(Base):
    """The days a year's applications are taken, as the association set them."""

    __tablename__ = "application_windows"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class NamingEntry(Base):
    """One line of a year's naming list: the studio as it was named, numbered in the order of naming."""

    __tablename__ = "naming_list"
    __table_args__ = (UniqueConstraint("year", "sequence"), UniqueConstraint("application_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    sequence: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    # names as they stood on the day of naming: the list is a record, not a view of today's organisation
    studio_name: Mapped[str] = mapped_column(String(200))
    enterprise: Mapped[str] = mapped_column(String(200), default="")
    lead_name: Mapped[str] = mapped_column(String(200), default="")
    union_name: Mapped[str] = mapped_column(String(200), default="")
    named_on: Mapped[date]
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
