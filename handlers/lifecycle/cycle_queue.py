"""Which ended cycles wait for the expert committee and the association (待审), and asking the committee."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator
from handlers.core.payloads import pack
from handlers.core.presses import CyclePress
from handlers.core.types import Button, Reply, reply_to_dict
from handlers.decisions import panel
from handlers.decisions.pending import Item, pending_source
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import expert_rubric
from handlers.roles.checks import target_from
from handlers.roles.matching import decide
from handlers.roles.permissions import Action, Subject
from storage.base import utcnow
from storage.models import Cycle, Studio, StudioStatus
from storage.repos import committee, org, outbox_batch

router = Router(__name__)


def sheet(ctx: Context) -> expert_rubric.ExpertRubric:
    """The committee's sheet for cycles."""
    return expert_rubric.for_cycles()


async def ended(ctx: Context) -> list[tuple[Studio, Cycle]]:
    """Named studios whose current cycle has ended without a verdict: 考核验收 is due, oldest end first."""
    rows = await ctx.session.execute(
        select(Studio, Cycle)
        .join(Cycle, Cycle.studio_id == Studio.id)
        .where(Studio.status == StudioStatus.NAMED, Studio.active, Cycle.result.is_(None), Cycle.ends_on < ctx.today)
        .order_by(Cycle.ends_on, Studio.id)
    )
    return [(studio, cycle) for studio, cycle in rows.all()]


async def scorable(ctx: Context, subject: Subject) -> list[tuple[Studio, Cycle, bool]]:
    """Ended cycles this expert may score (not tied to the studio), and whether they have, oldest end first."""
    rows = await ended(ctx)
    if not rows:
        return []
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s, _ in rows})
    sheets = await committee.cycle_sheets(session=ctx.session, cycle_ids=[c.id for _, c in rows])
    return [
        (studio, cycle, subject.person_id in sheets[cycle.id])
        for studio, cycle in rows
        if decide(subject, Action.SCORE, target_from(studio, chains.get(studio.union_id, [])))
    ]


@pending_source(router, "committee.cycle.section")
async def cycle_items(ctx: Context, subject: Subject) -> list[Item]:
    """Ended cycles: an expert's to score (unless tied to the studio), the association's to decide."""
    rows = await ended(ctx)
    if not rows:
        return []
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s, _ in rows})
    sheets = await committee.cycle_sheets(session=ctx.session, cycle_ids=[c.id for _, c in rows])
    needed = sheet(ctx).experts_needed
    items = []
    for studio, cycle in rows:
        target = target_from(studio, chains.get(studio.union_id, []))
        params = {"studio": studio.name, "number": cycle.number, "ends": cycle.ends_on}
        if decide(subject, Action.SCORE, target) and subject.person_id not in sheets[cycle.id]:
            line = ctx.t("committee.cycle.to_score", **params)
        elif decide(subject, Action.ASSESS_CYCLE, target):
            line = ctx.t("committee.cycle.to_decide", **params, count=len(sheets[cycle.id]), needed=needed)
        else:
            continue
        items.append(Item(cycle.created_at, line, studio.name[:12], CyclePress("open", cycle.id)))
    return items


class EndedCycle(Protocol):
    """What asking the committee needs of a cycle whose figures have just frozen."""

    @property
    def id(self) -> int: ...
    @property
    def studio_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def ends_on(self) -> date: ...


async def ask_committee(
    *, session: AsyncSession, config: HandlerConfig, cycles: Sequence[EndedCycle], due_at: datetime
) -> None:
    """Ask each committee expert not tied to the studio to score these newly frozen cycles (once each)."""
    if not cycles:
        return
    members = await panel.load(session)
    studios = {
        s.id: s for s in await session.scalars(select(Studio).where(Studio.id.in_({c.studio_id for c in cycles})))
    }
    chains = await org.union_chains(session=session, union_ids={s.union_id for s in studios.values()})
    now, rows = utcnow(), []
    for cycle in cycles:
        studio = studios[cycle.studio_id]
        press = pack(config.secret_key, CyclePress("open", cycle.id))
        asks: dict[str, dict[str, object]] = {}  # the experts of one locale get the same message
        for expert in members.panel(target_from(studio, chains.get(studio.union_id, []))).eligible:
            if (payload := asks.get(expert.locale)) is None:
                t = Translator(expert.locale)
                text = t("committee.cycle.ask", studio=studio.name, number=cycle.number, ends=cycle.ends_on)
                button = Button(t("committee.cycle.open"), press)
                payload = asks[expert.locale] = reply_to_dict(Reply(text=text, buttons=((button,),)))
            key = f"cy:{cycle.id}:ask:{expert.id}"
            rows.append(
                outbox_batch.new_row(
                    key=key, person_id=expert.id, payload=payload, kind="notice", due_at=due_at, now=now
                )
            )
    # one batch however many cycles end and experts sit (an existing key is skipped, as outbox.enqueue would)
    await outbox_batch.enqueue_many(session=session, rows=rows)
