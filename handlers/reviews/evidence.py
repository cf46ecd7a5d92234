"""The files attached to an entry, as a reviewer sees them: listed on the card, and sent on a press of 查看附件
(as files where the channel carries them, as signed links on the WeChat Official Account, paths on the console)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.core.presses import ReviewAction, ReviewPress
from handlers.core.types import Button, OutFile, Reply
from handlers.engine.context import Context
from handlers.exports.support import deliver, export_folder
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Attachment, LedgerEntry, Studio
from storage.repos import attachments, reviews

SHOWN = 5  # files named on the card; the press sends them all


def name_of(row: Attachment) -> str:
    """What a file is called: its own name, else the stored copy's (photos carry no name)."""
    return row.filename or Path(row.stored_path).name


def files_line(t: Translator, rows: list[Attachment]) -> str:
    """附件（2）：现场.jpg（车间现场）、方案.pdf — empty when there are none."""
    if not rows:
        return ""
    named = [
        t("reviews.files.item_described", name=name_of(r), description=r.description) if r.description else name_of(r)
        for r in rows[:SHOWN]
    ]
    more = t("reviews.files.more", count=len(rows) - SHOWN) if len(rows) > SHOWN else ""
    return t("reviews.files.line", count=len(rows), names=t("engine.list_separator").join(named) + more)


async def files_of(session: AsyncSession, entry: LedgerEntry) -> list[Attachment]:
    """Every file attached to the entry (any version), oldest first."""
    return await attachments.attachments_of(session=session, entry_id=entry.id)


def files_button(ctx: Context, t: Translator, entry: LedgerEntry, rows: list[Attachment]) -> Button:
    """📎 查看附件（2）: sends the files to whoever presses it, if they may see the entry."""
    return ctx.button(t("reviews.files.button", count=len(rows)), ReviewPress(ReviewAction.FILES, entry.id))


async def send_files(ctx: Context, entry_id: int) -> list[Reply]:
    """The entry's files, to a reviewer or anyone who may see the entry's studio's ledgers."""
    entry = await reviews.fresh_entry(session=ctx.session, entry_id=entry_id)
    studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
    if entry is None or studio is None:
        return [Reply(text=ctx.t("reviews.gone"), toast=ctx.t("reviews.gone"))]
    may = await checks.permitted(ctx, (Action.REVIEW_ENTRY, Action.VIEW_ENTRIES), studio=studio, entry=entry)
    if not may:
        refusal = checks.refusal(ctx, Action.VIEW_ENTRIES)
        return [Reply(text=refusal, toast=refusal)]
    rows = await files_of(ctx.session, entry)
    if not rows:
        return [Reply(text=ctx.t("reviews.files.none"))]
    folder = export_folder(ctx)  # a copy where signed links may point, removed with the other exports
    out = []
    for row in rows:
        copy = folder / f"{row.id}-{name_of(row)}"
        await asyncio.to_thread(shutil.copyfile, row.stored_path, copy)
        kind = "photo" if row.media_type.startswith("image/") else "document"
        out.append(OutFile(copy, name_of(row), row.media_type, kind=kind, caption=row.description))
    text = ctx.t("reviews.files.sent", count=len(rows), title=entry.title)
    return deliver(ctx, text, out)
