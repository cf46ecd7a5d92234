"""Steps and parsers the ledger flows share: dates, hours, names, free text, money, counts (the studio step is in
studio_choice.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from handlers.core.parsing import parse_count, parse_hours, parse_wan, parse_yes_no, parse_yuan, read_date
from handlers.engine import words
from handlers.engine.answers import is_number
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Offer, ParseResult, Problem, Step, Values
from storage.ledger_specs import SPECS
from storage.models import LedgerKind
from storage.repos import attachments, studio_cycles

EARLIEST = date(2000, 1, 1)
MIN_HOURS = Decimal("0.1")
SOON = timedelta(days=31)  # a month-day this close ahead may be meant for this year or the last
DAY_HOURS = 24  # one activity happens within a day
COURSE_HOURS = 1000  # a training course may run for weeks


def parse_text(ctx: Context, text: str) -> ParseResult:
    """Free text, not empty (its length is the step's limit, checked before: longer is kept as a draft)."""
    value = text.strip()
    return (value, None) if value else (None, "flows.error.empty")


def parse_name(ctx: Context, text: str) -> ParseResult:
    """One person's name: free text that is not a number or head count (十二人 is nobody)."""
    if is_number(text):
        return None, ("engine.names_not_number", {"text": text.strip()})
    return parse_text(ctx, text)


def text_step(kind: LedgerKind, key: str, prompt: str, label: str, *, name: bool = False, **more: Any) -> Step:
    """A typed-text step whose one limit is its ledger column's: stated in the question, a draft past it."""
    limit = SPECS[kind].column(key).limit
    return Step(key, prompt, label, parse=parse_name if name else parse_text, limit=limit, **more)


def parse_past_date(ctx: Context, text: str) -> ParseResult:
    """A date on or before today (as people write it); a month and day without a year is the last one past."""
    reading = read_date(text, today=ctx.today)
    value = reading.value
    if value is None:
        return None, (reading.problem, reading.values) if reading.problem else "flows.error.date"
    if value > ctx.today and not reading.year_given:
        last_year = _a_year_earlier(value)
        if value - ctx.today <= SOON:
            # "12月8号" on 7 December: tomorrow (not yet) or last year? Ask rather than guess, last year's a button.
            problem = ("flows.error.which_year", {"soon": value.isoformat(), "past": last_year.isoformat()})
            button = Choice(last_year.isoformat(), ctx.t("flows.last_year_day", date=last_year.isoformat()))
            return None, Offer(problem, (button,))
        value = last_year  # "12月30日" in January: last year's, as people mean it
    if value > ctx.today:
        return None, ("flows.error.not_yet", {"date": value.isoformat()})
    if value < EARLIEST:
        return None, "flows.error.old_date"
    return value.isoformat(), None


async def within_cycles(ctx: Context, values: Values, value: Any) -> Problem | None:
    """A ledger date before the studio's first cycle (before it was named) is refused: no cycle counts it."""
    studio = values.get("studio")
    if studio is None or not isinstance(value, str):
        return None
    start = await studio_cycles.first_cycle_start(session=ctx.session, studio_id=int(studio))
    if start is not None and date.fromisoformat(value) < start:
        return ("flows.error.before_cycle", {"date": value, "start": start.isoformat()})
    return None


def _a_year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


def hours_parser(most: int) -> Any:
    """A parser for hours, 0.1 to `most` (what rounds to 0.0, e.g. 0.04, is refused)."""

    def parse(ctx: Context, text: str) -> ParseResult:
        config = ctx.config
        day, half = Decimal(str(config.full_day_hours)), Decimal(str(config.half_day_hours))
        value = parse_hours(text, day=day, half_day=half)
        if value is None or value < MIN_HOURS:
            return None, ("flows.error.hours", {"most": most})
        if value > most:
            return None, ("flows.error.too_many_hours", {"most": most, "hours": f"{value.normalize():f}"})
        return str(value), None

    return parse


def parse_yuan_value(ctx: Context, text: str) -> ParseResult:
    """Money in 元 (1.5万, 15000元, ¥15,000), more than zero and below ten billion."""
    value = parse_yuan(text)
    if value is None or value <= 0 or value >= 10**10:
        return None, "flows.error.yuan"
    return str(value), None


def parse_wan_value(ctx: Context, text: str) -> ParseResult:
    """An amount in 万元 (1.5, 1.5万, 15000元), zero or more and below a million 万."""
    value = parse_wan(text)
    if value is None or value >= 10**6:
        return None, "flows.error.wan"
    return str(value), None


def parse_count_value(ctx: Context, text: str) -> ParseResult:
    """A head count (5, 5人), 1 to 9999."""
    value = parse_count(text)
    if value is None or not 1 <= value <= 9999:
        return None, "flows.error.count"
    return value, None


def headcount_of(fields: Mapping[str, Any], key: str, names: str) -> Values:
    """A stored head count as the flow's answer; none (0, a row from before counts) is left for its question."""
    count = fields.get(key) or len(fields.get(names) or [])
    return {key: count} if count else {}


def parse_yes_no_value(ctx: Context, text: str) -> ParseResult:
    """是/否, yes/no."""
    value = parse_yes_no(text)
    return (None, "flows.error.yes_no") if value is None else (value, None)


async def yes_no(ctx: Context, values: Values) -> Sequence[Choice]:
    """是 / 否 as buttons; 有/没有/无, yes/no typed in either language choose them too."""
    return [Choice(True, ctx.t("common.yes"), words.YES), Choice(False, ctx.t("common.no"), words.NO)]


def show_yuan(ctx: Context, value: Any) -> str:
    """An amount in 元 as the summary shows it."""
    return ctx.t("flows.show_yuan", amount=_plain(value))


def show_wan(ctx: Context, value: Any) -> str:
    """An amount in 万元 as the summary shows it."""
    return ctx.t("flows.show_wan", amount=_plain(value))


def show_date(ctx: Context, value: Any) -> str:
    """A stored ISO date as the summary shows it (not "today", which would be wrong tomorrow)."""
    return str(value)


def show_hours(ctx: Context, value: Any) -> str:
    """Hours as the summary shows them."""
    return ctx.t("flows.show_hours", hours=_plain(value))


def _plain(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}"


async def recent_days(ctx: Context, values: Values) -> Sequence[Choice]:
    """Today, yesterday and the day before, as buttons."""
    return [
        Choice(
            (ctx.today - timedelta(days=n)).isoformat(),
            ctx.t(key, date=(ctx.today - timedelta(days=n)).strftime("%m-%d")),
        )
        for n, key in ((0, "flows.today"), (1, "flows.yesterday"), (2, "flows.day_before"))
    ]


async def keep_files(ctx: Context, files: list[dict[str, Any]], *, entry_id: int, version: int) -> None:
    """Record the files received during the flow against the entry version."""
    assert ctx.person is not None
    for file in files:
        if "attachment_id" in file:
            continue  # already attached to an earlier version of the entry
        await attachments.add_attachment(
            session=ctx.session, file=file, uploaded_by_id=ctx.person.id, entry_id=entry_id, entry_version=version
        )
