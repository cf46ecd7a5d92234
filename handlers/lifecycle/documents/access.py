"""Who may have a document (asked of the permissions table) and which ones the console offers a person."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.engine.context import Context
from handlers.lifecycle.documents.kinds import SPECS, DocumentKind, Request
from handlers.roles import checks, matching
from handlers.roles.permissions import Subject, Target
from storage.models import Application, ApplicationStage, Studio, Union, UnionLevel


async def target_of(ctx: Context, asked: Request) -> Target | None:
    """What the document is about, as a permission target; None when its application does not exist."""
    need = SPECS[asked.kind].needs
    if need == "application":
        app = await ctx.session.get(Application, asked.application_id) if asked.application_id else None
        studio = await ctx.session.get(Studio, app.studio_id) if app else None
        return await checks.target_of(ctx.session, studio) if studio else None
    if need == "union_year":
        return Target(reviewing_union_id=asked.union_id)  # the district's own officers, or the association
    return Target()  # union-wide: the association


async def may_have(ctx: Context, asked: Request) -> bool:
    """Whether the person may download this document (the same answer as for what does not exist otherwise)."""
    target = await target_of(ctx, asked)
    return (
        target is not None
        and matching.decide(await checks.subject_of(ctx), SPECS[asked.kind].action, target) is not None
    )


@dataclass(frozen=True, slots=True)
class Offer:
    """A download the console shows: the request, and what the link says."""

    asked: Request
    subject: str  # the union or application it covers


def _district_unions(subject: Subject) -> set[int]:
    """The district or industry unions the person holds a role in: candidates, the table decides."""
    districts = (UnionLevel.DISTRICT, UnionLevel.INDUSTRY)
    return {g.union_id for g in subject.grants if g.union_id and g.union_level in districts}


async def overview_offers(ctx: Context, year: int) -> list[Offer]:
    """The year's documents for the overview: a district's summary to its officers, the lists to the association."""
    subject = await checks.subject_of(ctx)
    offers: list[Offer] = []
    for union_id in sorted(_district_unions(subject)):
        union = await ctx.session.get(Union, union_id)
        asked = Request(DocumentKind.RECOMMENDATION_SUMMARY, "xlsx", union_id=union_id, year=year)
        if union is not None and matching.decide(
            subject, SPECS[asked.kind].action, Target(reviewing_union_id=union_id)
        ):
            offers.append(Offer(asked, union.name))
    if matching.decide(subject, SPECS[DocumentKind.NOTICE].action, Target()) is not None:
        offers.append(Offer(Request(DocumentKind.NOTICE, "docx", year=year), str(year)))
        for fmt in SPECS[DocumentKind.NAMING_LIST].formats:
            offers.append(Offer(Request(DocumentKind.NAMING_LIST, fmt, year=year), str(year)))
    return offers


async def studio_offers(ctx: Context, studio: Studio, applications: list[Application]) -> list[Offer]:
    """The application forms of a studio's submitted applications, when the person may have them."""
    target = await checks.target_of(ctx.session, studio)
    if matching.decide(await checks.subject_of(ctx), SPECS[DocumentKind.APPLICATION_FORM].action, target) is None:
        return []
    return [
        Offer(Request(DocumentKind.APPLICATION_FORM, "docx", application_id=a.id), f"#{a.id} ({a.year})")
        for a in applications
        if a.stage is not ApplicationStage.DRAFT
    ]
