"""Attachments: the stored copy of a photo or file, tied to an entry version or an application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment
from storage.repos import written


async def add_attachment(
    *,
    session: AsyncSession,
    file: Mapping[str, Any],
    uploaded_by_id: int,
    entry_id: int | None = None,
    entry_version: int | None = None,
    application_id: int | None = None,
) -> Attachment:
    """Record a received file (as the engine keeps it: file_ref, stored_path, size, media_type, sha256, …)."""
    row = Attachment(
        entry_id=entry_id,
        entry_version=entry_version,
        application_id=application_id,
        uploaded_by_id=uploaded_by_id,
        channel=str(file.get("channel", "")),
        file_ref=str(file.get("file_ref", ""))[:512],
        stored_path=str(file["stored_path"]),
        filename=str(file.get("filename", ""))[:255],
        size=int(file.get("size", 0)),
        media_type=str(file.get("media_type", "application/octet-stream")),
        sha256=str(file.get("sha256", "")),
        description=str(file.get("caption") or ""),
    )
    session.add(row)
    await session.flush()
    written.attached(session, row)
    return row


async def attachments_of(*, session: AsyncSession, entry_id: int) -> list[Attachment]:
    """Every file attached to any version of an entry, oldest first."""
    if (files := written.files_of_new(session, entry_id)) is not None:
        return files
    query = select(Attachment).where(Attachment.entry_id == entry_id).order_by(Attachment.id)
    return list(await session.scalars(query))


async def stored_names(*, session: AsyncSession) -> set[str]:
    """The file names (content digest and suffix) of every stored attachment, whichever record holds it."""
    paths = await session.scalars(select(Attachment.stored_path).distinct())
    return {PurePath(path).name for path in paths}
