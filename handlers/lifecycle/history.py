"""履历 / history: a studio's audit trail in chat, for those the permission table lets read it."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import trail
from handlers.reviews.cards import when
from handlers.roles import permissions
from handlers.roles.permissions import Action
from storage.models import AuditLog, RoleKind, Studio
from storage.repos import audit, audit_names, org, people
from storage.repos.audit_names import Names

router = Router(__name__)

SHOWN = 15


async def _studio(ctx: Context, name: str) -> Studio | str:
    if name:
        found = await org.get_studio(session=ctx.session, name=name)
        return found if found is not None else ctx.t("lifecycle.history.no_studio", name=name)
    assert ctx.person is not None
    mine = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    return mine[0][0] if mine else ctx.t("lifecycle.history.usage")


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
    roles=frozenset({RoleKind.LEAD, RoleKind.REVIEWER, RoleKind.ADMIN}),
)
async def history_command(ctx: Context, args: str) -> list[Reply]:
    """The newest changes of a studio's state: 履历 (your studio) or 履历 工作室名称."""
    studio = await _studio(ctx, args.strip())
    if isinstance(studio, str):
        return [Reply(text=studio)]
    grant = await permissions.check(ctx, Action.VIEW_AUDIT, studio=studio)
    if grant is None:
        return [Reply(text=permissions.refusal(ctx, Action.VIEW_AUDIT))]
    hide = grant.kind is RoleKind.LEAD  # the studio reads its trail; its objectors' names are not its to read
    rows = await audit.trail(session=ctx.session, studio_id=studio.id)
    shown = rows[-SHOWN:]
    names = await audit_names.names_for(session=ctx.session, rows=shown)
    lines = [ctx.t("lifecycle.history.title", studio=studio.name, count=len(rows), shown=len(shown))]
    lines += [_line(ctx, row, names, hide_objectors=hide) for row in shown]
    return [Reply(text="\n".join(lines))]
