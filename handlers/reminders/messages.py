"""Render a pass's reminders in each recipient's language, with their signed buttons, as outbox payloads."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from handlers.core.i18n import Translator
from handlers.core.payloads import pack
from handlers.reminders.candidate import Action, Candidate, Msg, Names

Payload = dict[str, Any]  # as handlers.core.types.reply_to_dict writes a Reply: the sender reads it back so


@lru_cache(maxsize=16)
def _translator(locale: str) -> Translator:
    return Translator(locale)


def _value(value: object, t: Translator) -> object:
    if isinstance(value, Msg):
        return t(value.key, **{k: _value(v, t) for k, v in value.params})
    if isinstance(value, Names):
        text = t("reminders.list_sep").join(value.names[: value.shown])
        hidden = len(value.names) - value.shown
        return text + (t("reminders.list_more", count=hidden) if hidden > 0 else "")
    return value


class Renderer:
    """One pass's rendering: each distinct text and each button row formatted once, then shared.

    The rules hand the same parameters object to every recipient of one message (a union's digest, the
    yearly window, the reviewers of one cycle end), so a text is keyed by that object's identity, its
    message id and the locale: no hashing of the parameters, and the text is built once per locale.
    """

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self._texts: dict[tuple[int, str, str], str] = {}
        self._buttons: dict[tuple[tuple[Action, ...], str], list[list[dict[str, str]]]] = {}
        self._kept: list[object] = []  # the keyed parameters, alive for the pass so that no id is reused

    def text(self, candidate: Candidate, locale: str) -> str:
        """The reminder's text in `locale`."""
        key = (id(candidate.params), candidate.text_key, locale)
        found = self._texts.get(key)
        if found is None:
            t = _translator(locale)
            found = t(candidate.text_key, **{k: _value(v, t) for k, v in candidate.params.items()})
            self._texts[key] = found
            self._kept.append(candidate.params)
        return found

    def payload(self, candidate: Candidate, locale: str, text: str) -> Payload:
        """The outbox payload of the reminder with this text: all its buttons on one row."""
        key = (candidate.actions, locale)
        buttons = self._buttons.get(key)
        if buttons is None:
            t = _translator(locale)
            row = [{"label": t(a.label_key), "payload": pack(self.secret, a.press)} for a in candidate.actions]
            buttons = self._buttons[key] = [row] if row else []
        return {"text": text, "buttons": buttons, "files": []}
