"""The message catalogue: gettext .po files read with Babel, one domain file per feature.

Message ids are symbolic (`activity.ask_date`); each locale has a translation for every id.
Placeholders use str.format syntax: `{name}`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
_ALIASES = {
    "zh": "zh_CN",
    "zh-cn": "zh_CN",
    "zh_cn": "zh_CN",
    "cn": "zh_CN",
    "中文": "zh_CN",
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
}


def normalise_locale(value: str | None) -> str | None:
    """Map what a person or platform says ("en-US", "中文") to a supported locale, or None."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


@cache
def catalogue(locale: str) -> dict[str, str]:
    """Every message id of a locale mapped to its text (all domain files merged)."""
    messages: dict[str, str] = {}
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id and isinstance(message.id, str) and message.string:
                    messages[message.id] = str(message.string)
    return messages


def preload() -> None:
    """Read every locale's catalogue now, so no person's first message waits for it."""
    for locale in SUPPORTED:
        catalogue(locale)


def t(key: str, locale: str | None = None, /, **params: Any) -> str:
    """The text of message `key` in `locale` (falling back to zh_CN), formatted with params."""
    return _text(catalogue(locale or DEFAULT_LOCALE), key, params)


def _text(messages: dict[str, str], key: str, params: dict[str, Any]) -> str:
    text = messages.get(key) or catalogue(DEFAULT_LOCALE).get(key)
    if text is None:
        raise KeyError(f"message {key!r} is not in the catalogue")
    return text.format(**params) if params else text


class Translator:
    """`t` bound to one locale, handed to code that speaks to one person."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalise_locale(locale) or DEFAULT_LOCALE
        self._messages = catalogue(self.locale)  # a dozen lookups a turn: bound once, not at each

    def __call__(self, key: str, /, **params: Any) -> str:
        return _text(self._messages, key, params)
