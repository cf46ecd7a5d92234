"""A stage nobody can act on is said at once: a note for whoever reached it, a push to those above.

No reviewer in the studio's district: the association officers and the system admins are told.
No association officer: the system admins and the studio's district reviewers are told. Each person
is told once a day per union (the outbox key), however many entries or applications stall there.
"""

from __future__ import annotations

from collections.abc import Iterable

from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.engine.context import Context
from storage.models import Person, RoleKind, Studio, UnionLevel


async def _tell(
    ctx: Context, people: Iterable[Person], key: str, text_key: str, what_key: str, **params: object
) -> None:
    def message(t: Translator) -> Reply:  # each in their own language, the stalled item's name too
        return Reply(text=t(text_key, what=t(what_key), **params))

    seen: set[int] = set()
    for person in people:
        if person.id not in seen and (ctx.person is None or person.id != ctx.person.id):
            seen.add(person.id)
            await ctx.notify(person, message, key=f"{key}:{ctx.today.isoformat()}:{person.id}")


async def no_reviewer(
    ctx: Context,
    studio: Studio,
    what_key: str,
    *,
    kept_off: set[int] | None = None,
    reviewers: list[audience.Recipient] | None = None,
) -> str | None:
    """If nobody reviews this studio's union, tell the association and the admins; the note for the speaker.

    `kept_off`: people who may not act on this item (its author, the studio's own people), not counted.
    `reviewers`: the studio's reviewers (audience.studio_reviewers) when the caller has them already.
    """
    if reviewers is None:
        reviewers = await audience.studio_reviewers(ctx, studio)
    able = [p for p, _ in reviewers if p.id not in (kept_off or set())]
    if able:
        return None
    union = await audience.reviewing_union_for(ctx, studio)
    if union is not None and union.level is UnionLevel.MUNICIPAL:
        return await no_association(ctx, studio, what_key, reviewers=reviewers)
    name = union.name if union else studio.name
    above = [p for p, _ in await audience.association_reviewers(ctx)]
    above += await audience.holders(ctx.session, RoleKind.ADMIN)
    key = f"stall:reviewer:{union.id if union else 0}"
    await _tell(ctx, above, key, "roles.stall.no_reviewer.above", what_key, studio=studio.name, union=name)
    return ctx.t("roles.stall.no_reviewer.note", union=name, what=ctx.t(what_key))


async def no_association(
    ctx: Context, studio: Studio, what_key: str, *, reviewers: list[audience.Recipient] | None = None
) -> str | None:
    """If the association has no officer, tell the admins and the studio's reviewers; the note for the speaker."""
    if await audience.association_reviewers(ctx):
        return None
    ids = await audience.association_ids(ctx.session)
    told = await audience.holders(ctx.session, RoleKind.ADMIN)
    told += [p for p, _ in (await audience.studio_reviewers(ctx, studio) if reviewers is None else reviewers)]
    key = f"stall:association:{ids[0] if ids else 0}"
    await _tell(ctx, told, key, "roles.stall.no_association.above", what_key, studio=studio.name)
    return ctx.t("roles.stall.no_association.note", studio=studio.name, what=ctx.t(what_key))
