"""Render a reminder in its recipient's language, with its signed buttons."""

from __future__ import annotations

from functools import lru_cache

from handlers.core.i18n import Translator
from handlers.core.payloads import Press, pack
from handlers.core.types import Button, Reply
from handlers.reminders.candidate import Candidate, Msg, Names


def _value(value: object, t: Translator) -> object:
    if isinstance(value, Msg):
        return t(value.key, **{k: _value(v, t) for k, v in value.params})
    if isinstance(value, Names):
        text = t("reminders.list_sep").join(value.names[: value.shown])
        hidden = len(value.names) - value.shown
        return text + (t("reminders.list_more", count=hidden) if hidden > 0 else "")
    return value


@lru_cache(maxsize=16)
def _translator(locale: str) -> Translator:
    return Translator(locale)


@lru_cache(maxsize=65_536)
def _text(key: str, params: tuple[tuple[str, object], ...], locale: str) -> str:
    # many reminders of a pass share their text (the yearly window, a union's digest): format each once
    t = _translator(locale)
    return t(key, **{k: _value(v, t) for k, v in params})


@lru_cache(maxsize=65_536)
def _button(label_key: str, locale: str, secret: bytes, press: Press) -> Button:
    return Button(_translator(locale)(label_key), pack(secret, press))


def render(candidate: Candidate, locale: str, secret: bytes) -> Reply:
    """The reminder as a Reply in `locale`; all its buttons on one row."""
    text = _text(candidate.text_key, tuple(sorted(candidate.params.items())), locale)
    row = tuple(_button(a.label_key, locale, secret, a.press) for a in candidate.actions)
    return Reply(text=text, buttons=(row,) if row else ())
