"""Help, language, and Telegram's /start: the commands every person has."""

from __future__ import annotations

from handlers import commands
from handlers.commands import command
from handlers.context import Context
from handlers.i18n import Translator, normalise_locale
from handlers.types import Reply


@command("help", "帮助", help_key="basic.help.help", needs_person=False, order=900)
async def help_command(ctx: Context, args: str) -> list[Reply]:
    """What this person can do here."""
    if ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    lines = [ctx.t("basic.help.title", name=ctx.person.name)]
    for cmd in commands.menu():
        if cmd.offered_to(ctx):
            word = cmd.words[0] if cmd.words else cmd.name
            lines.append(ctx.t("basic.help.line", word=word, slash=cmd.name, text=ctx.t(cmd.help_key)))
    lines.append(ctx.t("basic.help.footer"))
    return [Reply(text="\n".join(lines))]


@command("lang", "语言", "language", help_key="basic.help.lang", order=800)
async def language_command(ctx: Context, args: str) -> list[Reply]:
    """Switch the person's language: 语言 en / /lang zh."""
    assert ctx.person is not None
    wanted = normalise_locale(args)
    if wanted is None:
        return [Reply(text=ctx.t("basic.lang.usage"))]
    ctx.person.locale = wanted
    ctx.t = Translator(wanted)
    return [Reply(text=ctx.t("basic.lang.done"))]


@command("start", help_key="basic.help.start", needs_person=False, in_menu=False)
async def start_command(ctx: Context, args: str) -> list[Reply]:
    """Telegram's first message; `/start CODE` (a deep link) binds."""
    if args:
        from handlers.binding import bind

        return await bind(ctx, args)
    if ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    return await help_command(ctx, "")


def menu_for(locale: str) -> list[tuple[str, str]]:
    """(command, description) pairs for a platform's command menu, in one language."""
    t = Translator(locale)
    return [(c.name, t(c.help_key)) for c in commands.menu()]
