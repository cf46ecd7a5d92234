"""The texts of reviews, applications, the lifecycle and permissions exist in both languages, with the same blanks."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handlers.core.i18n import LOCALES_DIR

DOMAINS = ("reviews", "application", "lifecycle", "permissions")


def _messages(locale: str, domain: str) -> dict[str, str]:
    path = Path(LOCALES_DIR) / locale / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh, locale=locale) if m.id}


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_languages_say_everything_with_the_same_blanks(domain: str) -> None:
    zh, en = _messages("zh_CN", domain), _messages("en", domain)
    assert set(zh) == set(en)
    assert all(zh[k].strip() and en[k].strip() for k in zh), "no empty translation"
    differing = {k: (_blanks(zh[k]), _blanks(en[k])) for k in zh if _blanks(zh[k]) != _blanks(en[k])}
    assert not differing
