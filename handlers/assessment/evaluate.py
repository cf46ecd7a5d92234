"""Hold a studio's figures against the rubric: which criteria fall short, a score, a suggestion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from handlers.assessment.figures import DECIMAL_SCALARS, Figures
from handlers.assessment.rubric import Criterion, Rubric

COMMEND, RETAIN, AT_RISK = "commend", "retain", "at_risk"


@dataclass(frozen=True, slots=True)
class Check:
    """One criterion applied: the value, the target for now, whether it is met, the points earned."""

    criterion: Criterion
    value: Decimal
    expected: Decimal
    met: bool
    points: Decimal


@dataclass(frozen=True, slots=True)
class Assessment:
    """Figures, checks, score and suggested result of one studio's cycle (so far)."""

    figures: Figures
    checks: tuple[Check, ...]
    score: Decimal
    max_score: Decimal
    suggestion: str
    progress: Decimal  # the share of the cycle gone by, 0..1

    @property
    def shortfalls(self) -> list[Check]:
        """The criteria not met."""
        return [c for c in self.checks if not c.met]


def cycle_progress(starts_on: date, ends_on: date, today: date) -> Decimal:
    """The share of the period gone by on `today` (days, both ends included), between 0 and 1."""
    total = (ends_on - starts_on).days + 1
    gone = (min(today, ends_on) - starts_on).days + 1
    return max(Decimal(0), min(Decimal(1), Decimal(gone) / Decimal(total)))


def expected_now(criterion: Criterion, progress: Decimal) -> Decimal:
    """The target at this point of the cycle: pro-rated floors grow with time, ceilings do not."""
    target = criterion.target * progress if criterion.pro_rata and criterion.at_least else criterion.target
    step = Decimal("0.1") if criterion.figure in DECIMAL_SCALARS else Decimal(1)
    return target.quantize(step, rounding=ROUND_HALF_UP)


def check(criterion: Criterion, value: Decimal, progress: Decimal) -> Check:
    """Apply one criterion to a value."""
    expected = expected_now(criterion, progress)
    if criterion.at_least:
        met = value >= expected
        share = Decimal(1) if expected == 0 else min(Decimal(1), value / expected)
    else:
        met = value <= expected
        share = Decimal(1) if met else Decimal(0)
    points = (criterion.weight * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Check(criterion=criterion, value=value, expected=expected, met=met, points=points)


def assess(figures: Figures, rubric: Rubric, *, today: date) -> Assessment:
    """The assessment of a studio whose figures were compiled for its cycle."""
    progress = cycle_progress(figures.starts_on, figures.ends_on, today)
    checks = tuple(check(c, figures.value(c.figure), progress) for c in rubric.criteria)
    score = sum((c.points for c in checks), Decimal(0))
    if score >= rubric.commend_score and all(c.met for c in checks):
        suggestion = COMMEND
    elif score >= rubric.retain_score:
        suggestion = RETAIN
    else:
        suggestion = AT_RISK
    return Assessment(
        figures=figures,
        checks=checks,
        score=score,
        max_score=rubric.max_score,
        suggestion=suggestion,
        progress=progress,
    )
