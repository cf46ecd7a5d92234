"""履历 / history: a studio's audit trail in chat, for those the permission table lets read it."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.decisions import studio_choice
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import trail
from handlers.reviews.cards import when
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import OFFICER_ROLES, AuditLog, RoleKind, Studio
from storage.repos import audit, audit_names
from storage.repos.audit_names import Names

router = Router(__name__)

SHOWN = 15


async def _studio(ctx: Context, name: str) -> Studio | Reply:
    """The studio named (any unambiguous part of its name), or the speaker's only one; buttons when several fit."""

    async def allowed(studio: Studio) -> bool:
        return await checks.check(ctx, Action.VIEW_AUDIT, studio=studio) is not None

    if name:
        found = await studio_choice.matching(ctx, name, allowed)
        if not found:
            return Reply(text=ctx.t("lifecycle.history.no_studio", name=name))
        if len(found) > studio_choice.OFFERED:
            return Reply(text=ctx.t("export.too_many_studios", name=name, count=studio_choice.OFFERED))
        if len(found) > 1:
            return studio_choice.offer(ctx, "history", found, ctx.t("export.which_of", name=name))
        return found[0]
    mine = await studio_choice.own_studios(ctx)
    if len(mine) > 1:
        return studio_choice.offer(ctx, "history", mine, ctx.t("lifecycle.history.which_studio"))
    return mine[0] if mine else Reply(text=ctx.t("lifecycle.history.usage"))


def _line(ctx: Context, row: AuditLog, names: Names, *, hide_objectors: bool = False) -> str:
    return (
        ctx.t(
            "lifecycle.history.line",
            when=when(ctx.t, row.at, ctx.config.tz),
            actor=trail.actor(ctx.t, row, names, hide_objectors=hide_objectors),
            what=trail.subject_text(ctx.t, names.subject(row), row.version),
            moved=trail.moved(ctx.t, row),
        )
        + trail.changed(ctx.t, row, names.subject(row))
        + (ctx.t("lifecycle.history.reason", reason=row.reason) if row.reason else "")
    )


@router.command(
    "history",
    "履历",
    "审计记录",
    help_key="lifecycle.history.help",
    order=75,
    roles=frozenset({RoleKind.LEAD, *OFFICER_ROLES}),
)
async def history_command(ctx: Context, args: str) -> list[Reply]:
    """The newest changes of a studio's state: 履历 (your studio) or 履历 工作室名称."""
    studio = await _studio(ctx, args.strip())
    if isinstance(studio, Reply):
        return [studio]
    grant = await checks.check(ctx, Action.VIEW_AUDIT, studio=studio)
    if grant is None:
        return [Reply(text=checks.refusal(ctx, Action.VIEW_AUDIT))]
    # the studio (and its enterprise union) reads its trail; its objectors' names are not theirs to read
    hide = grant.kind in (RoleKind.LEAD, RoleKind.ENTERPRISE)
    rows = await audit.trail(session=ctx.session, studio_id=studio.id)
    shown = rows[-SHOWN:]
    names = await audit_names.names_for(session=ctx.session, rows=shown)
    lines = [ctx.t("lifecycle.history.title", studio=studio.name, count=len(rows), shown=len(shown))]
    lines += [_line(ctx, row, names, hide_objectors=hide) for row in shown]
    return [Reply(text="\n".join(lines))]
