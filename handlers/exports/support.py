"""What the export, stats and assess commands share: their options, the studio asked about, how files go out.

Files go out as the channel's capabilities say: attached where it carries documents, as signed
download links where only photos travel (WeChat OA), as the file's path where the user reads this disk.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from handlers.core.parsing import parse_date
from handlers.core.types import Documents, OutFile, Reply
from handlers.decisions import studio_choice
from handlers.engine.context import Context
from handlers.exports.labels import ExportFormat
from handlers.exports.links import download_url
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.exports.files import new_export_dir, prune_exports
from storage.models import Studio

log = logging.getLogger(__name__)

ALL_WORDS = {"全部", "所有", "all", "排名", "ranking"}
_DATE_SHAPED = re.compile(r"^[\d\-/.年月日号]*\d[\d\-/.年月日号]*$")
_RANGE_MARKS = ("至", "到", "～", "~", "..", "—")


@dataclass(frozen=True, slots=True)
class ExportArgs:
    """What `导出 …` asked for."""

    fmt: ExportFormat = "xlsx"
    every_status: bool = False
    date_from: date | None = None
    date_to: date | None = None
    studio: str = ""


def parse_export_args(text: str, *, today: date) -> ExportArgs | str:
    """The options of an export request, or the word that was not understood."""
    for mark in _RANGE_MARKS:
        text = text.replace(mark, " ")
    fmt: ExportFormat = "xlsx"
    every, dates, words = False, list[date](), list[str]()
    for word in text.split():
        if word.lower() in ("csv", "xlsx", "excel"):
            fmt = "csv" if word.lower() == "csv" else "xlsx"
        elif word.lower() in ALL_WORDS:
            every = True
        elif (day := parse_date(word, today=today)) is not None:
            dates.append(day)
        elif _DATE_SHAPED.match(word) and not words:
            return word  # looks like a date but is not one; a name may hold digits (H000数控…, 3D打印…)
        else:
            words.append(word)
    if len(dates) > 2:
        return str(dates[2])
    return ExportArgs(fmt, every, dates[0] if dates else None, dates[1] if len(dates) > 1 else None, " ".join(words))


async def resolve_studio(ctx: Context, name: str, action: Action, prefix: str, command: str) -> Studio | Reply:
    """The studio named (any unambiguous part of its name), or the speaker's only one; buttons when several fit."""
    assert ctx.person is not None

    async def allowed(studio: Studio) -> bool:
        return await checks.check(ctx, action, studio=studio) is not None

    if name:
        found = await studio_choice.matching(ctx, name, allowed)
        if not found:
            return Reply(text=ctx.t(f"{prefix}.unknown_studio", name=name))
        if len(found) > studio_choice.OFFERED:
            return Reply(text=ctx.t("export.too_many_studios", name=name, count=studio_choice.OFFERED))
        if len(found) > 1:
            return studio_choice.offer(ctx, command, found, ctx.t("export.which_of", name=name))
        studio = found[0]
    else:
        mine = await studio_choice.own_studios(ctx)
        if not mine:
            overseer = any(r.union_id is not None for r in ctx.roles)
            return Reply(text=ctx.t(f"{prefix}.usage") if overseer else ctx.t("export.no_studio"))
        if len(mine) > 1:
            return studio_choice.offer(ctx, command, mine, ctx.t(f"{prefix}.which_studio"))
        studio = mine[0]
    if await checks.check(ctx, action, studio=studio) is None:
        return Reply(text=checks.refusal(ctx, action))
    return studio


class FolderUnwritable(Exception):
    """EXPORT_DIR cannot be written now (read-only, full, not a folder): no file can be made."""


def export_folder(ctx: Context) -> Path:
    """A fresh folder under EXPORT_DIR for one command's files; FolderUnwritable if none can be made."""
    try:
        # Old exports go when a new one is made; a link never outlives its file by design, only the reverse.
        prune_exports(ctx.config.export_dir, older_than_seconds=(ctx.config.download_link_ttl_minutes + 60) * 60)
        return new_export_dir(ctx.config.export_dir)
    except OSError as exc:
        log.error("EXPORT_DIR cannot be written (%s): no export made", type(exc).__name__)
        raise FolderUnwritable from None


def answers_unwritable(
    command: Callable[[Context, str], Awaitable[list[Reply]]],
) -> Callable[[Context, str], Awaitable[list[Reply]]]:
    """Wrap a command that writes under EXPORT_DIR: an unwritable folder is said plainly, not as an error."""

    @functools.wraps(command)
    async def wrapped(ctx: Context, args: str) -> list[Reply]:
        try:
            return await command(ctx, args)
        except FolderUnwritable:
            return [Reply(text=ctx.t("export.folder_unwritable"))]

    return wrapped


def deliver(ctx: Context, text: str, files: list[OutFile]) -> list[Reply]:
    """The reply carrying `files` the way this channel can."""
    documents = [f for f in files if f.kind != "photo"]
    how = ctx.incoming.capabilities.documents
    if how is Documents.LINKED and documents:
        urls = [download_url(ctx.config, f.path, now=ctx.now) for f in documents]
        if any(url is None for url in urls):
            text += "\n" + ctx.t("export.link_unavailable")
        else:
            links = "\n".join(f"{f.filename}：{url}" for f, url in zip(documents, urls, strict=True))
            text += "\n" + ctx.t("export.link", minutes=ctx.config.download_link_ttl_minutes, links=links)
        files = [f for f in files if f.kind == "photo"]
    elif how is Documents.SAVED:
        text += "\n" + "\n".join(ctx.t("export.saved", path=f.path) for f in files)
    return [Reply(text=text, files=tuple(files))]
