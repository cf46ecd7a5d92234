"""Make a document: check what was asked, read its rows, write the file — the one path of the CLI and the console."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.lifecycle.documents import lists, writers
from handlers.lifecycle.documents.form_data import application_form
from handlers.lifecycle.documents.kinds import SPECS, DocumentKind, Request
from storage.exports.files import safe_filename
from storage.models import Union, UnionLevel

YEARS = range(2000, 2100)


class DocumentError(Exception):
    """What was asked cannot be made: a catalogue id and its values, said in the asker's language."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params

    def text(self, t: Translator) -> str:
        """The refusal in one language."""
        return t(f"documents.error.{self.key}", **self.params)

    def both(self) -> str:
        """The refusal in Chinese and English, as the CLI prints every error."""
        return " / ".join(self.text(Translator(locale)) for locale in ("zh_CN", "en"))


@dataclass(frozen=True, slots=True)
class Produced:
    """A written document: where, its title, how many rows it lists, the name to offer it under."""

    path: Path
    title: str
    rows: int
    filename: str


def request(
    kind: str,
    fmt: str | None = None,
    *,
    application_id: int | None = None,
    union_id: int | None = None,
    year: int | None = None,
) -> Request:
    """A checked request: a known kind, one of its formats, and what it needs given (DocumentError otherwise)."""
    try:
        spec = SPECS[DocumentKind(kind)]
    except ValueError:
        raise DocumentError("kind", kind=kind, kinds=", ".join(k.value for k in DocumentKind)) from None
    chosen = (fmt or spec.formats[0]).lower().lstrip(".")
    if chosen not in spec.formats:
        raise DocumentError("format", kind=spec.kind.value, formats="|".join(spec.formats), given=fmt)
    if spec.needs == "application" and application_id is None:
        raise DocumentError("needs_application", kind=spec.kind.value)
    if spec.needs == "union_year" and union_id is None:
        raise DocumentError("needs_union", kind=spec.kind.value)
    if spec.needs in ("union_year", "year") and (year is None or year not in YEARS):
        raise DocumentError("year", kind=spec.kind.value, year="" if year is None else year)
    return Request(spec.kind, chosen, application_id, union_id, year if spec.needs != "application" else None)


async def _association(session: AsyncSession) -> str:
    found = await session.scalar(select(Union.name).where(Union.level == UnionLevel.MUNICIPAL).order_by(Union.id))
    return found or ""


async def produce(
    session: AsyncSession, asked: Request, folder: Path, t: Translator, *, tz: ZoneInfo, today: date
) -> Produced:
    """Read the rows and write the document into `folder` under its own name (DocumentError if there is none)."""
    title = t(SPECS[asked.kind].title_key)
    kind, year = asked.kind, asked.year or 0

    def named(subject: str) -> Path:
        return folder / safe_filename(f"{title}-{subject}.{asked.fmt}")

    if kind is DocumentKind.APPLICATION_FORM:
        assert asked.application_id is not None
        data = await application_form(session, asked.application_id, tz=tz)
        if data is None:
            raise DocumentError("no_application", number=asked.application_id)
        path = named(f"{data.studio.name}-{data.application.year}")
        await asyncio.to_thread(writers.application_form, path, data, t)
        return Produced(path, title, 1, path.name)
    if kind is DocumentKind.RECOMMENDATION_SUMMARY:
        union = await session.get(Union, asked.union_id)
        if union is None:
            raise DocumentError("no_union", union=asked.union_id)
        rows = await lists.recommended_by(session, union.id, year, tz=tz)
        path = named(f"{union.name}-{year}")
        await asyncio.to_thread(writers.recommendation_summary, path, union.name, year, rows, t)
        return Produced(path, title, len(rows), path.name)
    if kind is DocumentKind.NOTICE:
        rows = await lists.on_notice(session, year)
        association = await _association(session)
        path = named(str(year))
        await asyncio.to_thread(writers.notice, path, year, rows, t, association=association, today=today)
        return Produced(path, title, len(rows), path.name)
    rows = await lists.named_in_year(session, year)
    path = named(str(year))
    await asyncio.to_thread(writers.naming_list, path, year, rows, t, asked.fmt)
    return Produced(path, title, len(rows), path.name)
