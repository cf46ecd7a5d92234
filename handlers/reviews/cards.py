"""How an entry under review, a decision and a moment read, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.exports.labels import labeler
from storage import ledger_specs
from storage.ledger_specs import SPECS
from storage.models import LedgerEntry, Person, ReviewDecision, Studio
from storage.repos import ledger_versions

LONG_TEXT = 200


def when(t: Translator, moment: datetime, tz: ZoneInfo) -> str:
    """A stored UTC moment as people read it: 11月24日 10:05 (Asia/Shanghai)."""
    return format_datetime(moment.astimezone(tz), t("reviews.when_format"), locale=t.locale)


def value_text(t: Translator, value: Any) -> str:
    """One field value as text; empty when there is nothing to show."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return t("engine.list_separator").join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT] + "…"


def header(t: Translator, entry: LedgerEntry, studio: Studio) -> str:
    """【活动】Studio「title」(version N)."""
    return t(
        "reviews.header",
        kind=t(SPECS[entry.kind].message("noun")),
        studio=studio.name,
        title=entry.title,
        version=entry.version,
    )


def details(t: Translator, entry: LedgerEntry, fields: dict[str, Any], author: Person | None) -> list[str]:
    """The lines of an entry's current content."""
    lines = [t("reviews.author", name=author.name if author else "?")]
    label, spec = labeler(t.locale), SPECS[entry.kind]
    for column in spec.card_fields:
        # stored codes and yes/no read as the export reads them, in the reviewer's language
        shown = value_text(t, ledger_specs.value_text(entry.kind, column, fields.get(column.key), label))
        if shown and not (column.cell == "int" and shown == "0"):  # a count of none says nothing
            lines.append(t("reviews.line", label=t(spec.message(f"field.{column.key}")), value=shown))
    return lines


async def entry_card(session: AsyncSession, entry: LedgerEntry, studio: Studio) -> tuple[dict[str, Any], Person | None]:
    """The current version's fields and the author, to render an entry."""
    fields = ledger_versions.version_fields(await ledger_versions.current_version(session=session, entry=entry))
    return fields, await session.get(Person, entry.author_id)


def summary(t: Translator, entry: LedgerEntry, studio: Studio, fields: dict[str, Any], author: Person | None) -> str:
    """The whole entry as a reviewer sees it."""
    return "\n".join([header(t, entry, studio), *details(t, entry, fields, author)])


async def decided_by(
    session: AsyncSession,
    t: Translator,
    decision: ReviewDecision,
    tz: ZoneInfo,
    *,
    word_key: str,
    viewer_id: int | None = None,
) -> str:
    """ "已由 李四 于 11月24日 10:05 通过" — who decided, when, and what; "您已于 …" to the decider."""
    reviewer = await session.get(Person, decision.reviewer_id)
    name = reviewer.name if reviewer else "?"
    if decision.on_behalf_of_id is not None:
        principal = await session.get(Person, decision.on_behalf_of_id)
        name = t("reviews.on_behalf", name=name, principal=principal.name if principal else "?")
    moment = when(t, decision.decided_at, tz)
    if viewer_id is not None and viewer_id == decision.reviewer_id:
        text = t("reviews.already_you", when=moment, decision=t(word_key))
    else:
        text = t("reviews.already", name=name, when=moment, decision=t(word_key))
    if decision.reason:
        text += "\n" + t("reviews.reason_line", reason=decision.reason)
    return text
