"""Compile a studio's figures for a period from its approved ledger entries: the studio's own conduct only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.exports.ledgers import LedgerFilter, ledger_query
from storage.ledger_specs import SPECS
from storage.models import EntryStatus, LedgerEntry, LedgerKind, Role, RoleKind

# Training entries of these kinds are master-apprentice mentoring (高师带徒): their trainees are mentees.
MENTORING_KINDS = frozenset({"mentoring", "高师带徒", "带徒", "师带徒"})
APPROVED_ONLY = frozenset({EntryStatus.APPROVED})


@dataclass
class Figures:
    """What a studio did in a period, counted from approved entries only."""

    starts_on: date
    ends_on: date
    members: int = 0
    activity_count: int = 0
    activity_hours: Decimal = Decimal(0)
    activities_by_kind: Counter[str] = field(default_factory=Counter)
    activities_by_month: Counter[str] = field(default_factory=Counter)
    outcome_count: int = 0
    outcomes_by_category: Counter[str] = field(default_factory=Counter)
    patent_count: int = 0
    patents_by_kind: Counter[str] = field(default_factory=Counter)
    applied_count: int = 0
    funded_count: int = 0
    funding_yuan: Decimal = Decimal(0)
    benefit_wan: Decimal = Decimal(0)
    training_count: int = 0
    training_hours: Decimal = Decimal(0)
    mentees: set[str] = field(default_factory=set)
    promotions: Counter[str] = field(default_factory=Counter)
    # 制度完善 (第七条: the studio keeps its ledgers): approved entries of every ledger, by month and by ledger
    entries_by_month: Counter[str] = field(default_factory=Counter)
    entries_by_ledger: Counter[str] = field(default_factory=Counter)
    # shown beside the figures, never scored: how long an entry waits is the reviewer's doing, not the studio's
    waiting_review: int = 0
    waiting_fix: int = 0

    @property
    def active_months(self) -> int:
        """Months of the period with at least one approved activity."""
        return sum(1 for n in self.activities_by_month.values() if n > 0)

    @property
    def ledger_months(self) -> int:
        """Months of the period in which the studio recorded an entry (any ledger) that was approved."""
        return sum(1 for n in self.entries_by_month.values() if n > 0)

    @property
    def ledgers_kept(self) -> int:
        """How many of the studio's ledgers hold an approved entry of the period."""
        return sum(1 for n in self.entries_by_ledger.values() if n > 0)

    @property
    def mentee_count(self) -> int:
        """Distinct people mentored."""
        return len(self.mentees)

    @property
    def promoted_count(self) -> int:
        """Trainees promoted (for example to 技师), all grades together."""
        return sum(self.promotions.values())

    def value(self, key: str) -> Decimal:
        """A scalar figure by name (the names a rubric uses)."""
        if key not in SCALARS:
            raise KeyError(key)
        return Decimal(getattr(self, key))


SCALARS = (
    "members",
    "activity_count",
    "activity_hours",
    "active_months",
    "outcome_count",
    "applied_count",
    "patent_count",
    "funded_count",
    "funding_yuan",
    "benefit_wan",
    "training_count",
    "training_hours",
    "mentee_count",
    "promoted_count",
    "ledger_months",
    "ledgers_kept",
)
DECIMAL_SCALARS = frozenset({"activity_hours", "funding_yuan", "benefit_wan", "training_hours"})


async def compile_figures(
    *, session: AsyncSession, studio_id: int, starts_on: date, ends_on: date, as_of: date | None = None
) -> Figures:
    """The figures of one studio between two dates, both included; entries dated after `as_of` are left out."""
    figures = Figures(starts_on=starts_on, ends_on=ends_on)
    last = min(ends_on, as_of) if as_of is not None else ends_on
    flt = LedgerFilter(statuses=APPROVED_ONLY, date_from=starts_on, date_to=last)
    for kind in COUNTED:
        for row in (await session.execute(ledger_query(studio_id, kind, flt))).mappings():
            count_entry(figures, kind, row)
    # 第三条 counts members besides the lead: a lead who also holds a member role is not counted twice
    leads = select(Role.person_id).where(Role.studio_id == studio_id, Role.kind == RoleKind.LEAD, Role.active)
    figures.members = (
        await session.scalar(
            select(func.count(func.distinct(Role.person_id))).where(
                Role.studio_id == studio_id, Role.kind == RoleKind.MEMBER, Role.active, Role.person_id.not_in(leads)
            )
        )
        or 0
    )
    waiting = await session.execute(
        select(LedgerEntry.status, func.count(LedgerEntry.id))
        .where(
            LedgerEntry.studio_id == studio_id,
            LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED]),
            LedgerEntry.occurred_on.between(starts_on, last),
        )
        .group_by(LedgerEntry.status)
    )
    for status, count in waiting.all():
        if status == EntryStatus.SUBMITTED:
            figures.waiting_review = int(count)
        else:
            figures.waiting_fix = int(count)
    return figures


def count_entry(figures: Figures, kind: LedgerKind, row: Any) -> None:
    """Count one approved entry (a row of `ledger_query`) of a counted ledger into the figures."""
    ADD[kind](figures, row)
    figures.entries_by_month[row[SPECS[kind].date_field].strftime("%Y-%m")] += 1
    figures.entries_by_ledger[kind.value] += 1


def _activity(figures: Figures, row: Any) -> None:
    figures.activity_count += 1
    figures.activity_hours += row["hours"] or 0
    figures.activities_by_kind[row["kind"] or "-"] += 1
    figures.activities_by_month[row["occurred_on"].strftime("%Y-%m")] += 1


def _outcome(figures: Figures, row: Any) -> None:
    figures.outcome_count += 1
    figures.outcomes_by_category[row["category"] or "-"] += 1
    if row["patent_kind"]:
        figures.patent_count += 1
        figures.patents_by_kind[row["patent_kind"]] += 1
    if row["applied"]:
        figures.applied_count += 1
    if row["funding_amount"]:
        figures.funded_count += 1
        figures.funding_yuan += row["funding_amount"]
    figures.benefit_wan += row["benefit_wan"] or 0


def _training(figures: Figures, row: Any) -> None:
    figures.training_count += 1
    figures.training_hours += row["hours"] or 0
    if row["kind"] in MENTORING_KINDS:
        figures.mentees.update(name.strip() for name in row["trainees"] or [] if name.strip())
    if row["promoted_count"]:
        figures.promotions[row["promoted_grade"] or "-"] += int(row["promoted_count"])


ADD = {LedgerKind.ACTIVITY: _activity, LedgerKind.OUTCOME: _outcome, LedgerKind.TRAINING: _training}
COUNTED = tuple(ADD)  # the ledgers the figures count, in the order they are read
