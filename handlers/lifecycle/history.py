"""履历 / history: a studio's audit trail in chat, for those the permission table lets read it."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.reviews.cards import when
from handlers.roles import permissions
from handlers.roles.permissions import Action
from storage.models import AuditLog, RoleKind, Studio
from storage.repos import audit, org, people

router = Router(__name__)

SHOWN = 15


async def _studio(ctx: Context, name: str) -> Studio | str:
    if name:
        found = await org.get_studio(session=ctx.session, name=name)
        return found if found is not None else ctx.t("lifecycle.history.no_studio", name=name)
    assert ctx.person is not None
    mine = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    return mine[0][0] if mine else ctx.t("lifecycle.history.usage")


STATES = frozenset(
    {
        "submitted", "approved", "returned", "rejected", "withdrawn", "draft", "recommended", "reviewed",
        "evaluated", "public_notice", "named", "prospective", "applying", "not_retained", "open", "upheld",
        "dismissed", "commended", "retained", "scored", "bound", "restored", "active", "revoked",
    }
)  # fmt: skip


def _state(ctx: Context, state: str, object_type: str = "") -> str:
    if object_type == "objection" and state == "open":
        return ctx.t("lifecycle.history.state.raised")  # an objection is raised, not "opened"
    return ctx.t(f"lifecycle.history.state.{state}") if state in STATES else state


def _line(ctx: Context, row: AuditLog, names: dict[int, str], *, hide_objectors: bool = False) -> str:
    to = _state(ctx, row.to_state, row.object_type)
    moved = f"{_state(ctx, row.from_state, row.object_type)} → {to}" if row.from_state else to
    if hide_objectors and row.object_type == "objection" and row.from_state is None:
        actor = ctx.t("lifecycle.history.objector")  # who objected stays with the association, not the studio
    else:
        actor = names.get(row.actor_id or 0, "-")
    # an entry's later versions are named, so that "已提交 → 已提交" reads as the resubmission it is
    version = ctx.t("lifecycle.history.version", version=row.version) if (row.version or 0) > 1 else ""
    return ctx.t(
        "lifecycle.history.line",
        when=when(ctx.t, row.at, ctx.config.tz),
        actor=actor,
        what=ctx.t(f"lifecycle.history.object.{row.object_type}") if row.object_type in OBJECTS else row.object_type,
        number=f"{row.object_id}{version}",
        moved=moved,
    ) + (ctx.t("lifecycle.history.reason", reason=row.reason) if row.reason else "")


OBJECTS = frozenset({"entry", "application", "studio", "cycle", "objection", "expert_score", "identity", "role"})


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
    names = await org.names_of(session=ctx.session, person_ids={r.actor_id for r in rows if r.actor_id})
    lines = [ctx.t("lifecycle.history.title", studio=studio.name, count=len(rows), shown=min(len(rows), SHOWN))]
    lines += [_line(ctx, row, names, hide_objectors=hide) for row in rows[-SHOWN:]]
    return [Reply(text="\n".join(lines))]
