"""Steps and parsers the ledger flows share: the studio, dates, hours, names, free text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from handlers.context import Context
from handlers.engine.flow import Choice, ParseResult, Step, Values
from handlers.parsing import parse_date, parse_hours
from handlers.types import Reply
from storage.repos import attachments, people

EARLIEST = date(2000, 1, 1)


def text_parser(max_len: int) -> Any:
    """A parser for free text of at most `max_len` characters."""

    def parse(ctx: Context, text: str) -> ParseResult:
        value = text.strip()
        if not value:
            return None, "flows.error.empty"
        if len(value) > max_len:
            return None, f"flows.error.too_long_{max_len}"
        return value, None

    return parse


def parse_past_date(ctx: Context, text: str) -> ParseResult:
    """A date on or before today (as people write it)."""
    value = parse_date(text, today=ctx.today)
    if value is None:
        return None, "flows.error.date"
    if value > ctx.today:
        return None, "flows.error.future_date"
    if value < EARLIEST:
        return None, "flows.error.old_date"
    return value.isoformat(), None


def parse_hours_value(ctx: Context, text: str) -> ParseResult:
    """Hours, 0.1 to 1000."""
    value = parse_hours(text)
    return (None, "flows.error.hours") if value is None else (str(value), None)


async def recent_days(ctx: Context, values: Values) -> Sequence[Choice]:
    """Today, yesterday and the day before, as buttons."""
    return [
        Choice(
            (ctx.today - timedelta(days=n)).isoformat(),
            ctx.t(key, date=(ctx.today - timedelta(days=n)).strftime("%m-%d")),
        )
        for n, key in ((0, "flows.today"), (1, "flows.yesterday"), (2, "flows.day_before"))
    ]


async def my_studios(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studios the speaker leads or belongs to."""
    assert ctx.person is not None
    return [
        Choice(studio.id, studio.name)
        for studio, _ in await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    ]


async def studio_members(ctx: Context, values: Values) -> Sequence[Choice]:
    """The lead and members of the chosen studio, by name."""
    members = await people.members_of(session=ctx.session, studio_id=int(values["studio"]))
    return [Choice(person.name, person.name) for person, _ in members]


def studio_step() -> Step:
    """Which studio the entry is for; asked only of people in several studios."""
    return Step(
        key="studio",
        prompt="flows.ask.studio",
        label="flows.label.studio",
        choices=my_studios,
        when=lambda values: bool(values.get("_several_studios")),
    )


async def prepare_studio(ctx: Context, values: Values) -> list[Reply] | None:
    """Fill the studio when the speaker has one; refuse people who have none."""
    assert ctx.person is not None
    studios = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    if not studios:
        return [Reply(text=ctx.t("flows.no_studio"))]
    if len(studios) == 1:
        values["studio"] = studios[0][0].id
    else:
        values["_several_studios"] = True
    return None


async def keep_files(ctx: Context, files: list[dict[str, Any]], *, entry_id: int, version: int) -> None:
    """Record the files received during the flow against the entry version."""
    assert ctx.person is not None
    for file in files:
        await attachments.add_attachment(
            session=ctx.session, file=file, uploaded_by_id=ctx.person.id, entry_id=entry_id, entry_version=version
        )
