"""第八条: the members of named studios, for the unions' priority lists (导出 成员, `studio-bot members`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from handlers.core.i18n import Translator
from handlers.core.types import OutFile, Reply
from handlers.engine.context import Context
from handlers.exports.labels import XLSX_TYPE
from handlers.exports.support import deliver, export_folder
from handlers.roles import checks, matching
from handlers.roles.permissions import Action
from storage.exports.cells import CellKind, Column
from storage.exports.files import safe_filename
from storage.exports.xlsx import Sheet, write_xlsx
from storage.models import Studio
from storage.repos import org
from storage.repos.named_members import NamedMember, named_members

MEMBER_WORDS = frozenset({"成员", "成员名单", "members"})
_COLUMNS: tuple[tuple[str, CellKind, float], ...] = (
    ("studio", "text", 28),
    ("named_on", "date", 12),
    ("role", "text", 12),
    ("name", "text", 12),
    ("grade", "text", 12),
    ("enterprise", "text", 24),
    ("union", "text", 24),
)


def row_of(t: Translator, m: NamedMember) -> list[object]:
    """One member as the cells of a row (and the fields of --json), in the columns' order."""
    return [m.studio, m.named_on, t(f"binding.role.{m.role.value}"), m.name, m.grade or "", m.enterprise, m.union]


async def write_members(path: Path, members: Sequence[NamedMember], t: Translator) -> int:
    """The priority list as one sheet; how many people it lists."""
    columns = [Column(t(f"roles.members.col.{key}"), kind, width) for key, kind, width in _COLUMNS]
    counts = await write_xlsx(path, [Sheet(t("roles.members.sheet"), columns, [row_of(t, m) for m in members])])
    return sum(counts.values())


async def visible_members(ctx: Context) -> list[NamedMember]:
    """The named studios' members whose studio the speaker may list (a district: its own; the association: all)."""
    members = await named_members(session=ctx.session)
    subject = await checks.subject_of(ctx)
    ids = {m.studio_id for m in members}
    studios = list(await ctx.session.scalars(select(Studio).where(Studio.id.in_(ids)))) if ids else []
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s in studios})
    allowed = {
        s.id
        for s in studios
        if matching.decide(subject, Action.EXPORT_MEMBERS, checks.target_from(s, chains[s.union_id]))
    }
    return [m for m in members if m.studio_id in allowed]


async def members_export(ctx: Context) -> list[Reply]:
    """导出 成员: the list as a workbook, for whoever may export it."""
    subject = await checks.subject_of(ctx)
    if not matching.could_ever(subject, Action.EXPORT_MEMBERS):
        return [Reply(text=checks.refusal(ctx, Action.EXPORT_MEMBERS))]
    members = await visible_members(ctx)
    studios = len({m.studio_id for m in members})
    name = safe_filename(ctx.t("roles.members.filename", date=ctx.today.strftime("%Y%m%d")))
    path = export_folder(ctx) / f"{name}.xlsx"
    await write_members(path, members, ctx.t)
    text = ctx.t("roles.members.done", studios=studios, people=len(members))
    return deliver(ctx, text, [OutFile(path, path.name, XLSX_TYPE, caption=ctx.t("roles.members.sheet"))])
