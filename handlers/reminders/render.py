"""Render a reminder in its recipient's language, with its signed buttons."""

from __future__ import annotations

from handlers.buttons import sign
from handlers.i18n import Translator
from handlers.reminders.candidate import Candidate, Msg, Names
from handlers.types import Button, Reply


def _value(value: object, t: Translator) -> object:
    if isinstance(value, Msg):
        return t(value.key, **{k: _value(v, t) for k, v in value.params})
    if isinstance(value, Names):
        text = t("reminders.list_sep").join(value.names[: value.shown])
        hidden = len(value.names) - value.shown
        return text + (t("reminders.list_more", count=hidden) if hidden > 0 else "")
    return value


def render(candidate: Candidate, locale: str, secret: bytes) -> Reply:
    """The reminder as a Reply in `locale`; all its buttons on one row."""
    t = Translator(locale)
    text = t(candidate.text_key, **{k: _value(v, t) for k, v in candidate.params.items()})
    row = tuple(Button(t(a.label_key), sign(secret, a.kind, *a.args)) for a in candidate.actions)
    return Reply(text=text, buttons=(row,) if row else ())
