"""An entry opened in 我的台账: its card (studio, content, review state, who may change it) and the actions offered."""

from __future__ import annotations

from handlers.core.presses import LedgerAction, LedgerPress
from handlers.core.types import Button, Reply
from handlers.engine.context import Context
from handlers.engine.prompts import field_lines
from handlers.engine.runner import summary_lines
from handlers.ledgers.entries import approved_before, may_edit, may_withdraw, shown_values, status_text
from handlers.ledgers.form import forms
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.ledger_specs import SPECS
from storage.models import EntryStatus, LedgerEntry, Person, Studio
from storage.repos import org, people, reviews


async def studio_names(ctx: Context) -> dict[int, str]:
    """The speaker's studios by id (a list names the studio of each entry when there are several)."""
    assert ctx.person is not None
    found = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    return {studio.id: studio.name for studio, _ in found}


async def may(ctx: Context, entry: LedgerEntry, *actions: Action) -> frozenset[Action]:
    """Which of these the speaker may do to the entry, as the permissions table says."""
    studio = await ctx.get(Studio, entry.studio_id)
    return await checks.permitted(ctx, actions, studio=studio, entry=entry)


async def details(ctx: Context, entry: LedgerEntry) -> Reply:
    """The entry's card with the buttons the speaker may press."""
    values = await shown_values(ctx, entry)
    approved = await approved_before(ctx, entry)
    head = ctx.t(
        "ledger.detail_title",
        number=entry.id,
        kind=ctx.t(SPECS[entry.kind].message("name")),
        status=status_text(ctx, entry, approved_earlier=approved is not None),
        version=entry.version,
    )
    studios = await studio_names(ctx)
    if len(studios) > 1:
        head += "\n" + ctx.t("ledger.detail_studio", studio=studios.get(entry.studio_id, ""))
    lines = [
        head,
        *field_lines(ctx, await summary_lines(ctx, ctx.routes.flows[forms(ctx.routes)[entry.kind].flow], values)),
    ]
    reason = await _review_reason(ctx, entry)
    if reason:
        lines.append(ctx.t(f"ledger.reason.{entry.status.value}", reason=reason))
    if approved is not None and entry.status not in (EntryStatus.APPROVED, EntryStatus.WITHDRAWN):
        lines.append(ctx.t("ledger.approved_stands", approved=approved))  # what the assessment counts meanwhile
    actions: list[Button] = []
    allowed = await may(ctx, entry, Action.EDIT_ENTRY, Action.WITHDRAW_ENTRY)
    if Action.EDIT_ENTRY in allowed and may_edit(entry, approved):
        key = "ledger.fix" if entry.status is EntryStatus.RETURNED else "ledger.edit"
        actions.append(ctx.button(ctx.t(key), LedgerPress(LedgerAction.EDIT, entry.id)))
    if Action.WITHDRAW_ENTRY in allowed and may_withdraw(entry, approved):
        key = "ledger.withdraw_edit" if approved is not None else "ledger.withdraw"
        actions.append(ctx.button(ctx.t(key), LedgerPress(LedgerAction.ASK_WITHDRAW, entry.id)))
    if Action.EDIT_ENTRY not in allowed and may_edit(entry, approved):
        lines.append(await _who_may_edit(ctx, entry))  # instead of a card with nothing to press but 返回
    actions.append(ctx.button(ctx.t("ledger.back_to_list"), LedgerPress(LedgerAction.LIST)))
    return Reply(text="\n".join(lines), buttons=(tuple(actions),))


async def _who_may_edit(ctx: Context, entry: LedgerEntry) -> str:
    """Who may change this entry, by name: the studio's lead and the one who wrote it."""
    names = [p.name for p in await org.leads_of(session=ctx.session, studio_id=entry.studio_id)]
    author = await ctx.session.get(Person, entry.author_id)
    if author is not None and author.name not in names:
        names.append(author.name)
    return ctx.t("ledger.who_may_edit", names=ctx.t("engine.list_separator").join(names) or "-")


async def _review_reason(ctx: Context, entry: LedgerEntry) -> str | None:
    """Why the current version was returned or rejected, as the reviewer wrote it."""
    if entry.status not in (EntryStatus.RETURNED, EntryStatus.REJECTED):
        return None
    decision = await reviews.decision_for_entry(session=ctx.session, entry_id=entry.id, version=entry.version)
    return decision.reason if decision is not None else None
