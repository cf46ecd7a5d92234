"""The message catalogue: every text in Chinese and English, the same placeholders, every key a flow names."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from handlers.app import routes
from handlers.core.i18n import SUPPORTED, Translator, catalogue, normalise_locale, t
from tests.support import make_bot


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
    flows = routes().flows.values()
    keys = {flow.title for flow in flows}
    keys |= {key for flow in flows for step in flow.steps for key in (step.prompt, step.label)}
    keys |= {command.help_key for command in routes().commands.values()}
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


def test_every_literal_message_id_in_the_code_is_in_the_catalogue():
    """A typo in a message id would only show as a KeyError in front of a user; catch it here."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    literal = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")
    used = {
        (match.group(1), str(path.relative_to(root)))
        for folder in ("handlers", "bot")
        for path in (root / folder).rglob("*.py")
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 100  # the scan does find the code's messages
    for locale in SUPPORTED:
        messages = catalogue(locale)
        assert sorted((key, where) for key, where in used if key not in messages) == []


def test_a_new_bot_has_read_every_catalogue_before_anyone_writes(sessions):
    # reading the .po files takes a noticeable moment: a restarted bot pays it, not its first user
    catalogue.cache_clear()
    make_bot(sessions)
    assert catalogue.cache_info().currsize == len(SUPPORTED)
    assert catalogue.cache_info().misses == len(SUPPORTED)


def test_no_message_has_two_translations_or_two_entries():
    """.po files merge as a union (.gitattributes): a text changed on two branches would keep both lines."""
    folder = Path(__file__).resolve().parent.parent / "handlers" / "core" / "locales"
    problems = []
    for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        last, seen = "", set()
        for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("msgstr") and last == "msgstr":
                problems.append(f"{po.parent.parent.name}/{po.name}:{number} second msgstr")
            if line.startswith("msgid ") and line != 'msgid ""':
                if line in seen:
                    problems.append(f"{po.parent.parent.name}/{po.name}:{number} {line} twice")
                seen.add(line)
            if line.startswith(("msgid", "msgstr")):
                last = line.split(" ", 1)[0]
    assert problems == []
