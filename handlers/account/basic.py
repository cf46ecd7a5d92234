"""Help, language, and Telegram's /start: the commands every person has."""

from __future__ import annotations

from handlers.core.i18n import Translator, normalise_locale
from handlers.core.types import Reply
from handlers.decisions.pending import DECIDES
from handlers.engine.context import Context
from handlers.engine.router import Command, Router, Routes
from handlers.ledgers.form import forms
from handlers.roles import checks, matching
from handlers.roles.permissions import Action, Subject
from storage.repos import invites

router = Router(__name__)

# What each command needs, by the permissions table: help offers it to whoever could do one of these
# somewhere; () offers it to every bound person. A command left out is offered by its `roles`.
NEEDS: dict[str, tuple[Action, ...]] = {
    "ledger": (Action.EDIT_ENTRY,),  # 我的台账 lists the speaker's own studios, to see, edit and withdraw
    "export": (Action.EXPORT,),
    "stats": (Action.VIEW_ENTRIES,),
    "assess": (Action.VIEW_ASSESSMENT,),
    "apply": (Action.APPLY,),
    "pending": DECIDES,
    "notices": (Action.RAISE_OBJECTION,),
    "verdict": (Action.ASSESS_CYCLE,),
    "admit": (Action.ASSOCIATION_REVIEW,),
    "history": (Action.VIEW_AUDIT,),
    "web": (Action.VIEW_ENTRIES, Action.REVIEW_ENTRY),  # the console shows the studios one may view, and decides
    "vacation": (),
    "card": (),  # everyone bound has a card
    "lang": (),
    "help": (),
    "named": (),  # the naming list is public (/public/named/{year} too)
}


def needs_of(name: str, routes: Routes) -> tuple[Action, ...] | None:
    """The actions a command needs (every ledger's command logs an entry); None when NEEDS leaves it out."""
    if name in {form.flow for form in forms(routes).values()}:
        return (Action.LOG_ENTRY,)
    return NEEDS.get(name)


def offered(cmd: Command, ctx: Context, subject: Subject) -> bool:
    """Whether help shows this command to the speaker: only what their roles may do."""
    needs = needs_of(cmd.name, ctx.routes)
    if needs is None:
        return cmd.offered_to(ctx)
    if not cmd.in_menu or (cmd.needs_person and ctx.person is None):
        return False
    return not needs or any(matching.could_ever(subject, action) for action in needs)


@router.command("help", "帮助", help_key="basic.help.help", needs_person=False, order=900)
async def help_command(ctx: Context, args: str) -> list[Reply]:
    """What this person can do here."""
    if ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    lines = [ctx.t("basic.help.title", name=ctx.person.name)]
    subject = await checks.subject_of(ctx)
    for cmd in ctx.routes.menu():
        if offered(cmd, ctx, subject):
            word = cmd.words[0] if cmd.words else cmd.name
            lines.append(ctx.t("basic.help.line", word=word, slash=cmd.name, text=ctx.t(cmd.help_key)))
    # the words that steer a record are for those who record; everyone else only needs the language
    logs = matching.could_ever(subject, Action.LOG_ENTRY)
    lines.append(ctx.t("basic.help.footer" if logs else "basic.help.footer_officer"))
    return [Reply(text="\n".join(lines))]


@router.command("lang", "语言", "language", help_key="basic.help.lang", order=800)
async def language_command(ctx: Context, args: str) -> list[Reply]:
    """Switch the person's language: 语言 en / /lang zh."""
    assert ctx.person is not None
    wanted = normalise_locale(args)
    if wanted is None:
        return [Reply(text=ctx.t("basic.lang.usage"))]
    ctx.person.locale = wanted
    ctx.t = Translator(wanted)
    return [Reply(text=ctx.t("basic.lang.done"))]


@router.command("start", help_key="basic.help.start", needs_person=False, in_menu=False)
async def start_command(ctx: Context, args: str) -> list[Reply]:
    """Telegram's first message; `/start CODE` (a deep link) binds."""
    if args and not (ctx.incoming.scanned and not invites.looks_like_code(args)):
        from handlers.account.binding import bind

        return await bind(ctx, args)
    if ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    return await help_command(ctx, "")


def menu_for(routes: Routes, locale: str) -> list[tuple[str, str]]:
    """(command, description) pairs for a platform's command menu, in one language."""
    t = Translator(locale)
    return [(c.name, t(c.help_key)) for c in routes.menu()]
