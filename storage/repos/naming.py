"""The naming list of each year (第六条 命名): who was named, as named, numbered per year in the order of naming.

Document builders read it through `naming_list`; the chat, the console and /public/named/{year} show it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import NamingEntry
from storage.repos.upsert import dialect_of

LOCK_KEY = 0x4E414D00_0000  # + the year: the advisory lock that numbers one year's naming list


async def add_named(
    *,
    session: AsyncSession,
    year: int,
    application_id: int,
    studio_id: int,
    studio_name: str,
    enterprise: str,
    lead_name: str,
    union_name: str,
    named_on: date,
    named_by_id: int | None,
) -> NamingEntry:
    """Put a named studio on its year's list with the next number; namings of one year take their numbers in turn."""
    if dialect_of(session) == "postgresql":
        # two officers naming at once would both read the same highest number; SQLite has one writer anyway
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY + year})
    last = await session.scalar(select(func.max(NamingEntry.sequence)).where(NamingEntry.year == year))
    row = NamingEntry(
        year=year,
        sequence=int(last or 0) + 1,
        application_id=application_id,
        studio_id=studio_id,
        studio_name=studio_name,
        enterprise=enterprise,
        lead_name=lead_name,
        union_name=union_name,
        named_on=named_on,
        named_by_id=named_by_id,
    )
    session.add(row)
    await session.flush()
    return row


async def naming_list(session: AsyncSession, year: int) -> list[NamingEntry]:
    """The year's naming list in sequence order."""
    query = select(NamingEntry).where(NamingEntry.year == year).order_by(NamingEntry.sequence)
    return list(await session.scalars(query))


async def named_years(session: AsyncSession) -> list[int]:
    """The years that have a naming list, newest first."""
    query = select(NamingEntry.year).distinct().order_by(NamingEntry.year.desc())
    return list(await session.scalars(query))
