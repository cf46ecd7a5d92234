"""The assessment as chat text: figures, score, suggestion, and what falls short."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from handlers.assessment.evaluate import Check
from handlers.assessment.service import StudioAssessment
from handlers.core.i18n import Translator
from handlers.exports.labels import labeler, value_text
from storage.models import LedgerKind


def num(value: Decimal | int) -> str:
    """A number as people write it: no trailing zeros, thousands grouped."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def percent(share: Decimal) -> str:
    """A share between 0 and 1 as a whole percentage."""
    return str(int((share * 100).to_integral_value()))


def counted(counter: Counter[str], t: Translator, kind: LedgerKind, field: str) -> str:
    """`技术交流 5、技术学习 3`, most frequent first."""
    label = labeler(t.locale)
    return t("assess.list_joiner").join(
        f"{value_text(label, kind, field, key)} {n}" for key, n in counter.most_common()
    )


def figure_name(t: Translator, figure: str) -> str:
    """The name of a figure in the reader's language."""
    return t(f"assess.figure.{figure}")


def shortfall_line(t: Translator, item: Check) -> str:
    """One criterion not met, with the value and the target for now."""
    key = "assess.shortfall.min" if item.criterion.at_least else "assess.shortfall.max"
    return t(key, figure=figure_name(t, item.criterion.figure), value=num(item.value), expected=num(item.expected))


def summary_text(result: StudioAssessment, t: Translator, *, today_text: str) -> str:
    """The chat summary of one studio's assessment."""
    a, f, cycle = result.assessment, result.assessment.figures, result.cycle
    lines = [
        t("assess.title", studio=result.studio.name, number=cycle.number, start=cycle.starts_on, end=cycle.ends_on),
        t("assess.as_of", today=today_text, progress=percent(a.progress)),
        t("assess.members", members=f.members),
        t("assess.activities", count=f.activity_count, hours=num(f.activity_hours), months=f.active_months),
    ]
    if f.activities_by_kind:
        lines.append(t("assess.by_kind", items=counted(f.activities_by_kind, t, LedgerKind.ACTIVITY, "kind")))
    lines.append(t("assess.outcomes", count=f.outcome_count, applied=f.applied_count, patents=f.patent_count))
    if f.outcomes_by_category:
        lines.append(t("assess.by_kind", items=counted(f.outcomes_by_category, t, LedgerKind.OUTCOME, "category")))
    # the benefit is kept in 万元; each language says it in its own unit (15 万元, 150,000 yuan)
    benefit = num(f.benefit_wan * Decimal(t("assess.benefit_scale")))
    lines.append(t("assess.funding", funded=f.funded_count, yuan=num(f.funding_yuan), benefit=benefit))
    lines.append(
        t(
            "assess.training",
            count=f.training_count,
            hours=num(f.training_hours),
            mentees=f.mentee_count,
            promoted=f.promoted_count,
        )
    )
    if f.promotions:
        lines.append(t("assess.promotions", items=counted(f.promotions, t, LedgerKind.TRAINING, "promoted_grade")))
    lines.append(t("assess.ledgers", months=f.ledger_months, kept=f.ledgers_kept))
    lines.append(t("assess.waiting", review=f.waiting_review, fix=f.waiting_fix))
    lines.append(
        t("assess.score", score=num(a.score), max=num(a.max_score), suggestion=t(f"assess.suggestion.{a.suggestion}"))
    )
    if a.shortfalls:
        lines.append(t("assess.shortfalls"))
        lines.extend(shortfall_line(t, item) for item in a.shortfalls)
    else:
        lines.append(t("assess.all_met"))
    return "\n".join(lines)


def ranking_text(union_name: str, results: Sequence[StudioAssessment], t: Translator, *, today_text: str) -> str:
    """The union-wide ranking as text, one line per studio."""
    if not results:
        return t("assess.union_empty", union=union_name)
    lines = [t("assess.union_title", union=union_name, today=today_text, count=len(results))]
    for rank, r in enumerate(results, start=1):
        lines.append(
            t(
                "assess.rank_line",
                rank=rank,
                studio=r.studio.name,
                score=num(r.assessment.score),
                short=len(r.assessment.shortfalls),
                suggestion=t(f"assess.suggestion.{r.assessment.suggestion}"),
                end=r.cycle.ends_on,
            )
        )
    return "\n".join(lines)
