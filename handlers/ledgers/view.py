"""我的台账: the studio's recent entries with their status; open one, edit it (a new version) or withdraw it."""

from __future__ import annotations

from handlers.core.parsing import FULLWIDTH
from handlers.core.presses import GoPress, LedgerAction, LedgerPress
from handlers.core.types import Button, Reply
from handlers.core.width import cut
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.prompts import rows
from handlers.engine.router import Router
from handlers.ledgers.card import details, may, studio_names
from handlers.ledgers.entries import WITHDRAWABLE, approved_before, edit_values, may_edit, may_withdraw, status_text
from handlers.ledgers.form import forms
from handlers.roles.permissions import Action
from storage.ledger_specs import SPECS
from storage.models import EntryStatus, LedgerEntry
from storage.repos import ledgers, reviews

PAGE = 8
RESTORED = "restored"  # audit state: a pending edit withdrawn, the entry back at its approved version

# the press that changes an entry, and the action of the permissions table it needs
CHANGES = {
    LedgerAction.EDIT: Action.EDIT_ENTRY,
    LedgerAction.ASK_WITHDRAW: Action.WITHDRAW_ENTRY,
    LedgerAction.WITHDRAW: Action.WITHDRAW_ENTRY,
}

router = Router(__name__)


@router.command("ledger", "我的台账", "台账", "#", help_key="ledger.help", order=40)
async def ledger_command(ctx: Context, args: str) -> list[Reply]:
    """The speaker's studios' most recent entries; `#7` (or `我的台账 7`) opens entry 7."""
    number = args.strip().removeprefix("#").strip().translate(FULLWIDTH)
    if number.isascii() and number.isdigit() and len(number) < 10 and int(number) > 0:
        return await ledger_button(ctx, LedgerPress(LedgerAction.OPEN, int(number)))
    return await _list(ctx, 0)


@router.button(LedgerPress)
async def ledger_button(ctx: Context, press: LedgerPress) -> list[Reply]:
    """Every press in the ledger view; who may act is checked again on each one."""
    action = press.action
    if action is LedgerAction.LIST:
        return await _list(ctx, press.number)
    if press.number == 0:  # entry ids start at 1: a press that names no entry
        return [Reply(text=ctx.t("engine.bad_button"))]
    entry = await ledgers.get_entry(session=ctx.session, entry_id=press.number)
    if entry is None or entry.kind not in forms(ctx.routes) or not await _may_see(ctx, entry):
        return [Reply(text=ctx.t("ledger.not_found"))]
    if action is LedgerAction.OPEN:
        return [await details(ctx, entry)]
    if action in CHANGES and CHANGES[action] not in await may(ctx, entry, CHANGES[action]):
        return [Reply(text=ctx.t("ledger.not_yours"), outcome_of_press=True)]
    if action is LedgerAction.EDIT:
        return await _edit(ctx, entry)
    if action is LedgerAction.ASK_WITHDRAW:
        return [await _confirm_withdraw(ctx, entry)]
    if action is LedgerAction.WITHDRAW and press.version is not None:
        return await _withdraw(ctx, entry, press.version)
    return [Reply(text=ctx.t("engine.bad_button"))]


async def _studio_ids(ctx: Context) -> list[int]:
    return list(await studio_names(ctx))


async def _list(ctx: Context, offset: int) -> list[Reply]:
    studios = await studio_names(ctx)
    studio_ids = list(studios)
    if not studio_ids:
        return [Reply(text=ctx.t("flows.no_studio"))]
    found = await ledgers.recent_entries(session=ctx.session, studio_ids=studio_ids, limit=offset + PAGE + 1)
    page, more = found[offset : offset + PAGE], len(found) > offset + PAGE
    if not page:
        return [Reply(text=ctx.t("ledger.empty"), buttons=(tuple(_start_buttons(ctx)),))]
    if offset:
        lines = [ctx.t("ledger.list_title_page", first=offset + 1, last=offset + len(page))]
    else:
        lines = [ctx.t("ledger.list_title", count=len(page))]
    edited = await reviews.approved_earlier(session=ctx.session, entry_ids=[e.id for e in page])
    named = studios if len(studios) > 1 else {}
    lines += [_line(ctx, entry, entry.id in edited, named.get(entry.studio_id)) for entry in page]
    lines.append(ctx.t("ledger.list_hint"))
    buttons = [ctx.button(f"#{e.id} {_short(e.title)}", LedgerPress(LedgerAction.OPEN, e.id)) for e in page]
    nav = [ctx.button(ctx.t("ledger.more"), LedgerPress(LedgerAction.LIST, offset + PAGE))] if more else []
    if offset:
        nav.insert(0, ctx.button(ctx.t("ledger.newer"), LedgerPress(LedgerAction.LIST, max(offset - PAGE, 0))))
    return [Reply(text="\n".join(lines), buttons=(*rows(buttons), *((tuple(nav),) if nav else ())))]


def _line(ctx: Context, entry: LedgerEntry, approved_earlier: bool, studio: str | None) -> str:
    return ctx.t(
        "ledger.line_studio" if studio else "ledger.line",
        studio=_short(studio or "", 12),
        number=entry.id,
        date=entry.occurred_on.strftime("%m-%d"),
        kind=ctx.t(SPECS[entry.kind].message("name")),
        title=_short(entry.title, 20),
        status=status_text(ctx, entry, approved_earlier=approved_earlier),
    )


def _short(text: str, size: int = 10) -> str:
    return cut(text, 2 * size)  # `size` Chinese characters, or twice as many Latin letters


def _start_buttons(ctx: Context) -> list[Button]:
    return [ctx.button(ctx.t(form.spec.message("start")), GoPress(form.flow)) for form in forms(ctx.routes).values()]


async def _may_see(ctx: Context, entry: LedgerEntry) -> bool:
    return entry.studio_id in await _studio_ids(ctx)


async def _edit(ctx: Context, entry: LedgerEntry) -> list[Reply]:
    if not may_edit(entry, await approved_before(ctx, entry)):
        return [Reply(text=ctx.t("ledger.cannot_edit", number=entry.id, status=status_text(ctx, entry)))]
    return await start_flow(ctx, forms(ctx.routes)[entry.kind].flow, await edit_values(ctx, entry))


async def _confirm_withdraw(ctx: Context, entry: LedgerEntry) -> Reply:
    approved = await approved_before(ctx, entry)
    if not may_withdraw(entry, approved):
        return Reply(text=ctx.t("ledger.cannot_withdraw", number=entry.id, status=status_text(ctx, entry)))
    buttons = (
        ctx.button(ctx.t("ledger.withdraw_yes"), LedgerPress(LedgerAction.WITHDRAW, entry.id, entry.version)),
        ctx.button(ctx.t("ledger.withdraw_no"), LedgerPress(LedgerAction.OPEN, entry.id)),
    )
    if approved is not None:
        text = ctx.t(
            "ledger.withdraw_edit_ask", number=entry.id, title=entry.title, version=entry.version, approved=approved
        )
    else:
        text = ctx.t("ledger.withdraw_ask", number=entry.id, title=entry.title)
    return Reply(text=text, buttons=(buttons,))


async def _withdraw(ctx: Context, entry: LedgerEntry, version: int) -> list[Reply]:
    # An approved entry is evidence for the assessment: withdrawing a later edit goes back to it, never hides it.
    before, approved = entry.status, await approved_before(ctx, entry)
    if approved is not None:
        done = await ledgers.restore_version(
            session=ctx.session, entry=entry, version=approved, expected_version=version, now=ctx.now
        )
    else:
        done = await ledgers.set_status(
            session=ctx.session,
            entry_id=entry.id,
            expected=set(WITHDRAWABLE),
            to=EntryStatus.WITHDRAWN,
            now=ctx.now,
            version=version,
        )
    if not done:
        await ctx.session.refresh(entry)
        text = ctx.t("ledger.cannot_withdraw", number=entry.id, status=status_text(ctx, entry))
        return [Reply(text=text, outcome_of_press=True)]
    await ctx.audit(
        object_type="entry",
        object_id=entry.id,
        from_state=before.value,
        to_state=RESTORED if approved is not None else EntryStatus.WITHDRAWN.value,
        version=version,
        studio_id=entry.studio_id,
        detail={"restored_version": approved} if approved is not None else None,
    )
    if approved is not None:
        text = ctx.t("ledger.edit_withdrawn", number=entry.id, title=entry.title, approved=approved)
    else:
        text = ctx.t("ledger.withdrawn", number=entry.id, title=entry.title)
    return [Reply(text=text, outcome_of_press=True)]
