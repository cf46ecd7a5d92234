"""How an application reads: its card for deciders, stage names and decision words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.lifecycle.expert_rubric import ExpertRubric
from storage.models import (
    Application,
    ApplicationStage,
    Decision,
    EntryStatus,
    ExpertScore,
    LedgerEntry,
    Person,
    ReviewDecision,
    Studio,
    Union,
)
from storage.repos import application_decisions, expert_scores


@dataclass(frozen=True)
class Card:
    """What the card of an application shows, gathered once and rendered in each reader's language."""

    app: Application
    studio: Studio
    union: str
    scores: tuple[ExpertScore, ...]
    sheet: ExpertRubric
    waiting: frozenset[int] = frozenset()  # cited outcomes not (or no longer) approved: marked on the card
    returned: ReviewDecision | None = None  # for a resubmission: the decision that returned the earlier one
    opinion: tuple[str, str] | None = None  # the district's 推荐意见: who gave it, what it says


async def card_of(session: AsyncSession, app: Application, studio: Studio, sheet: ExpertRubric) -> Card:
    """Gather an application's card (`sheet`: the rubric in force, for the panel size and the pass line)."""
    union = await session.get(Union, studio.union_id)
    scores = await expert_scores.scores_of(session=session, application_id=app.id)
    cited = [int(o["id"]) for o in app.data.get("outcomes", []) if o.get("id") is not None]
    approved = set(
        await session.scalars(
            select(LedgerEntry.id).where(LedgerEntry.id.in_(cited), LedgerEntry.status == EntryStatus.APPROVED)
        )
    )
    waiting = frozenset(i for i in cited if i not in approved)
    returned = None
    if app.resubmits_id is not None:
        returned = await application_decisions.returned_by(session=session, application_id=app.resubmits_id)
    return Card(
        app,
        studio,
        union.name if union else "",
        tuple(scores),
        sheet,
        waiting=waiting,
        returned=returned,
        opinion=await opinion_of(session, app),
    )


def outcome_titles(t: Translator, card: Card) -> str:
    """The outcomes the application cites; one not approved is marked as waiting for review."""
    titles = [
        t("application.card.outcome_waiting", title=o["title"]) if o.get("id") in card.waiting else o["title"]
        for o in card.app.data.get("outcomes", [])
    ]
    return "；".join(titles) or "-"


async def opinion_of(session: AsyncSession, app: Application) -> tuple[str, str] | None:
    """The recommender's name and 推荐意见, once the district has recommended the application."""
    decision = await application_decisions.decision_at(
        session=session, application_id=app.id, stage=ApplicationStage.SUBMITTED
    )
    if decision is None or decision.decision is not Decision.RECOMMEND or not decision.reason:
        return None
    person = await session.get(Person, decision.reviewer_id)
    return (person.name if person else "-", decision.reason)


def stage(t: Translator, value: ApplicationStage) -> str:
    """The name of a stage (待推荐, 公示中, …)."""
    return t(f"application.stage.{value.value}")


def decision_word(decision: Decision, *, at: ApplicationStage | None = None) -> str:
    """The message key of what a stage decision did (推荐, 命名, …; the district's refusal is 不予推荐)."""
    if decision is Decision.REJECT and at is ApplicationStage.SUBMITTED:
        return "application.decision.reject_district"
    return f"application.decision.{decision.value}"


def average(scores: tuple[ExpertScore, ...]) -> Decimal | None:
    """The experts' average total, one decimal."""
    if not scores:
        return None
    return (sum((s.total for s in scores), Decimal(0)) / len(scores)).quantize(Decimal("0.1"))


def below_pass(scores: tuple[ExpertScore, ...], sheet: ExpertRubric) -> bool:
    """Whether the experts' average falls short of the rubric's pass line (no scores: it does)."""
    mean = average(scores)
    # judged on the one-decimal average everyone is shown, so the card never contradicts itself
    return mean is None or mean < sheet.pass_score


def number(value: Decimal) -> str:
    """A score as people write it: 60, 85.2."""
    return f"{value.normalize():f}"


def card_text(t: Translator, card: Card, *, blind: bool = False) -> str:
    """The application as a decider reads it; `blind`: an expert yet to score sees how many sheets are in, no score."""
    data, app = card.app.data, card.app
    lines = [
        t("application.card.title", number=app.id, studio=card.studio.name, union=card.union),
        t("application.card.lead", name=data.get("lead", "?"), grade=data.get("grade") or t("common.none")),
        t("application.card.members", count=data.get("members", 0)),
        t("application.card.venue", venue=data.get("venue") or t("common.none")),
        t("application.card.equipment", equipment=data.get("equipment") or t("common.none")),
        t("application.card.outcomes", outcomes=outcome_titles(t, card)),
        t("application.card.activities", activities=str(data.get("activities", ""))[:300]),
        t("application.card.stage", stage=stage(t, app.stage)),
    ]
    if app.resubmits_id is not None:
        reason = card.returned.reason if card.returned and card.returned.reason else t("common.none")
        lines.insert(1, t("batch.card.resubmits", number=app.resubmits_id, reason=reason))
    if card.opinion is not None:
        lines.append(t("batch.card.opinion", name=card.opinion[0], opinion=card.opinion[1]))
    if app.notice_starts_on and app.notice_ends_on:
        lines.append(t("application.card.notice", starts=app.notice_starts_on, ends=app.notice_ends_on))
    mean = average(card.scores)
    passing = number(card.sheet.pass_score)
    if app.stage is ApplicationStage.REVIEWED:
        count, needed = len(card.scores), card.sheet.experts_needed
        if mean is None or blind:
            lines.append(t("application.card.progress", count=count, needed=needed))
        else:
            lines.append(
                t("application.card.progress_scored", count=count, needed=needed, average=mean, pass_score=passing)
            )
    elif mean is not None and not blind:
        lines.append(t("application.card.scores", count=len(card.scores), average=mean, pass_score=passing))
        if app.stage is ApplicationStage.EVALUATED and below_pass(card.scores, card.sheet):
            lines.append(t("application.card.below_pass", average=mean, pass_score=passing))
    return "\n".join(lines)
