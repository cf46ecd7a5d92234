"""Pages from Jinja2 templates; every text in them comes from the message catalogue through the Translator."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from handlers.core.i18n import Translator

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """The template environment, escaping every value (built once)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def formatters(t: Translator, tz: ZoneInfo) -> dict[str, Any]:
    """Date and time helpers in the reader's language and the configured time zone."""

    def day(value: date | None) -> str:
        return format_date(value, t("web.format.date"), locale=t.locale) if value else "—"

    def moment(value: datetime | None) -> str:
        return format_datetime(value.astimezone(tz), t("web.format.moment"), locale=t.locale) if value else "—"

    return {"day": day, "moment": moment}


def page(name: str, t: Translator, tz: ZoneInfo, *, status: int = 200, **data: Any) -> HTMLResponse:
    """Render a template with the translator, the formatters and `data`."""
    html = environment().get_template(name).render(t=t, lang=t.locale, **formatters(t, tz), **data)
    return HTMLResponse(html, status_code=status)
