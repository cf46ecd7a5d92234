"""Every text in the console's templates comes from the catalogue, in both languages; the assets stay small."""

from __future__ import annotations

import re

from bot.web.render import TEMPLATES
from handlers.core.i18n import SUPPORTED, catalogue

STATIC = TEMPLATES.parent / "static"


def test_every_message_a_template_names_is_in_both_catalogues() -> None:
    literal = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")
    prefixed = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]*\.)["']\s*\+""")
    texts = [path.read_text("utf-8") for path in TEMPLATES.glob("*.html")]
    used = {m.group(1) for text in texts for m in literal.finditer(text) if not m.group(1).endswith(".")}
    stems = {m.group(1) for text in texts for m in prefixed.finditer(text)}
    assert len(used) > 50 and stems
    for locale in SUPPORTED:
        messages = catalogue(locale)
        assert sorted(k for k in used if k not in messages) == []
        assert all(any(k.startswith(stem) for k in messages) for stem in stems)


def test_no_inline_script_or_style_and_no_vendored_bulk() -> None:
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text("utf-8")
        assert "<script" not in text and "style=" not in text and "<style" not in text, path.name
        assert not re.search(r"\bon[a-z]+=", text), path.name  # no inline event handlers either
    assert sum(p.stat().st_size for p in STATIC.iterdir()) < 20_000
    assert not list(STATIC.glob("*.js"))
