"""The expert panel of a studio: the committee's members who may score it, and who stands aside and why."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.roles.checks import target_from
from handlers.roles.matching import recused
from handlers.roles.permissions import Grant, Subject, Target
from handlers.roles.recusal import Recusal, Tie
from storage.models import Person, Studio, Union
from storage.repos import committee, org


@dataclass(frozen=True, slots=True)
class StandsAside:
    """An expert kept off a studio's panel, and why."""

    expert: Person
    recusal: Recusal


@dataclass(frozen=True, slots=True)
class Panel:
    """The committee split for one studio: who may score it, who stands aside."""

    eligible: tuple[Person, ...]
    aside: tuple[StandsAside, ...]


@dataclass(frozen=True)
class Committee:
    """The association's experts as permission subjects, read once for any number of studios."""

    experts: tuple[tuple[Person, Subject], ...]

    def panel(self, target: Target) -> Panel:
        """Who may score the target studio and who stands aside."""
        eligible, aside = [], []
        for person, subject in self.experts:
            why = recused(subject, target)
            if why is None:
                eligible.append(person)
            else:
                aside.append(StandsAside(person, why))
        return Panel(tuple(eligible), tuple(aside))


async def load(session: AsyncSession) -> Committee:
    """The committee's members with their ties (three queries, however many experts)."""
    members = await committee.members(session=session)
    homes = await committee.home_unions(session=session, people=members)
    studios = await committee.studio_roles(session=session, person_ids=[p.id for p in members])
    return Committee(
        tuple(
            (
                p,
                Subject(
                    person_id=p.id,
                    enterprise=p.enterprise,
                    grants=tuple(Grant(kind, studio_id=studio_id) for kind, studio_id in studios[p.id]),
                    home_union_ids=homes[p.id],
                ),
            )
            for p in members
        )
    )


async def panel_of(session: AsyncSession, studio: Studio) -> Panel:
    """The panel of one studio."""
    chain = await org.union_chain(session=session, union_id=studio.union_id)
    return (await load(session)).panel(target_from(studio, chain))


async def aside_text(session: AsyncSession, t: Translator, aside: tuple[StandsAside, ...]) -> str:
    """`吴专家（与工作室同一企业）、…`: who stands aside and why, for the association."""
    unions = {u.id: u for u in await _unions(session, aside)}
    parts = []
    for item in aside:
        union = unions.get(item.recusal.union_id or 0)
        why = t(f"committee.recusal.{item.recusal.tie.value}", union=union.name if union else "-")
        parts.append(t("committee.recusal.item", name=item.expert.name, why=why))
    return t("application.list_separator").join(parts)


async def _unions(session: AsyncSession, aside: tuple[StandsAside, ...]) -> list[Union]:
    ids = {a.recusal.union_id for a in aside if a.recusal.tie is Tie.UNION and a.recusal.union_id is not None}
    chains = await org.union_chains(session=session, union_ids=ids)
    return [chain[0] for chain in chains.values() if chain]
