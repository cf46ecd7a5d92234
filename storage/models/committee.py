"""What the association and its expert committee record beside applications: admitted conditions, cycle scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped


class ConditionAdmission(Timestamped, Base):
    """The association admits a studio that falls short of a 原则上 condition of 第三条, for one year, with a reason."""

    __tablename__ = "condition_admissions"
    __table_args__ = (UniqueConstraint("studio_id", "condition", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    condition: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    admitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class CycleScore(Timestamped, Base):
    """One expert's scores of a studio's management cycle on the assessment rubric (考核验收, 第六条, 第十条)."""

    __tablename__ = "cycle_scores"
    __table_args__ = (UniqueConstraint("cycle_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[Decimal]
    comment: Mapped[str] = mapped_column(Text, default="")
