"""The message catalogue: every text in Chinese and English, the same placeholders, every key a flow names."""

from __future__ import annotations

import string

import pytest

import handlers.bot  # noqa: F401  - registers every command and flow
from handlers import commands
from handlers.engine.flow import FLOWS
from handlers.i18n import SUPPORTED, Translator, catalogue, normalise_locale, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_message_with_the_same_placeholders():
    zh, en = catalogue("zh_CN"), catalogue("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []
    differing = [key for key in zh if placeholders(zh[key]) != placeholders(en[key])]
    assert differing == []


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_key_a_flow_or_command_names_is_there(locale: str):
    messages = catalogue(locale)
    keys = {flow.title for flow in FLOWS.values()}
    keys |= {key for flow in FLOWS.values() for step in flow.steps for key in (step.prompt, step.label)}
    keys |= {command.help_key for command in commands.REGISTRY.values()}
    assert sorted(k for k in keys if k not in messages) == []


def test_languages_people_name_map_to_supported_ones():
    assert [normalise_locale(v) for v in ("en", "EN-us", "中文", "zh", "英语", "klingon", "")] == [
        "en",
        "en",
        "zh_CN",
        "zh_CN",
        "en",
        None,
        None,
    ]
    assert Translator("fr").locale == "zh_CN"
    assert t("flows.show_yuan", "en", amount="15000") == "15000 yuan"
    with pytest.raises(KeyError):
        t("no.such.message")
