"""The console's documents: which links a page shows, and a download checked against the table and audited."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from handlers.engine.context import Context
from handlers.lifecycle.documents import access, build
from handlers.lifecycle.documents.kinds import SPECS, Request
from storage.models import Application, Studio, Union, UnionLevel


def url_of(asked: Request) -> str:
    """The console address of a document (only what it needs in the query)."""
    query = {"application": asked.application_id, "union": asked.union_id, "year": asked.year, "format": asked.fmt}
    return f"/web/documents/{asked.kind.value}?" + urlencode({k: v for k, v in query.items() if v is not None})


def link_text(ctx: Context, offer: access.Offer) -> str:
    """What a download link says: the document, what it covers, its format."""
    title = ctx.t(SPECS[offer.asked.kind].title_key)
    return ctx.t("documents.web.link", title=title, subject=offer.subject, fmt=offer.asked.fmt.upper())


async def studio_applications(ctx: Context, studio: Studio) -> list[access.Offer]:
    """The application forms the person may have of this studio's submitted applications, newest first."""
    query = select(Application).where(Application.studio_id == studio.id).order_by(Application.id.desc())
    return await access.studio_offers(ctx, studio, list(await ctx.session.scalars(query)))


async def download(ctx: Context, asked: Request, folder: Path) -> build.Produced | None:
    """The document written into `folder`, with its audit row (channel web); None if the person may not have it."""
    if not await access.may_have(ctx, asked):
        return None
    made = await build.produce(ctx.session, asked, folder, ctx.t, tz=ctx.config.tz, today=ctx.today)
    studio_id = None
    if asked.application_id is not None:
        app = await ctx.session.get(Application, asked.application_id)
        studio_id = app.studio_id if app else None
    # the row names what the document is of: the application, the district, or (the year's lists) the association
    object_type, object_id = "application", asked.application_id
    if asked.application_id is None:
        object_type, object_id = "union", asked.union_id or await _association(ctx)
    assert object_id is not None
    await ctx.audit(
        object_type=object_type,
        object_id=object_id,
        to_state="downloaded",
        studio_id=studio_id,
        detail={"document": asked.kind.value, "format": asked.fmt, "year": asked.year, "rows": made.rows},
    )
    return made


async def _association(ctx: Context) -> int:
    found = await ctx.session.scalar(select(Union.id).where(Union.level == UnionLevel.MUNICIPAL).order_by(Union.id))
    return int(found or 0)
