"""Entry review in chat: the reviewers are told of a submitted entry, press 通过/退回/驳回, or open it."""

from __future__ import annotations

from typing import Any

from handlers.core.i18n import Translator
from handlers.core.presses import ReviewAction, ReviewPress
from handlers.core.types import Button, Reply
from handlers.decisions import audience, stalls
from handlers.decisions.reason import ask_reason, reason_handler
from handlers.engine.context import Context
from handlers.engine.events import on_entry_submitted
from handlers.engine.flow import Values
from handlers.engine.router import Router
from handlers.reviews import cards, evidence, revisions
from handlers.reviews.batch import start_batch
from handlers.reviews.decide import DECISIONS, decide, still_waiting, why_not
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Attachment, Decision, EntryStatus, LedgerEntry, Person, Studio
from storage.repos import reviews

router = Router(__name__)


def decision_row(ctx: Context, t: Translator, entry: LedgerEntry) -> tuple[Button, ...]:
    """通过 / 退回 / 驳回 for this version of the entry."""
    return tuple(
        ctx.button(t(f"reviews.button.{action}"), ReviewPress(action, entry.id, entry.version))
        for action in (ReviewAction.APPROVE, ReviewAction.RETURN, ReviewAction.REJECT)
    )


def card_buttons(
    ctx: Context, t: Translator, entry: LedgerEntry, files: list[Attachment]
) -> tuple[tuple[Button, ...], ...]:
    """通过 / 退回 / 驳回, and 查看附件 when the entry has files."""
    see = ((evidence.files_button(ctx, t, entry, files),),) if files else ()
    return (decision_row(ctx, t, entry), *see)


@on_entry_submitted(router)
async def tell_reviewers(ctx: Context, entry: LedgerEntry) -> None:
    """Send the entry's summary with decision buttons to every reviewer of its studio (and their delegates)."""
    studio = await ctx.get(Studio, entry.studio_id)
    if studio is None:
        return
    fields, author = await cards.entry_card(ctx.session, entry, studio)
    revision = await revisions.revision_of(ctx.session, entry)
    files = await evidence.files_of(ctx.session, entry)
    insiders = {p.id for p in await audience.studio_people(ctx, studio)}  # nobody reviews their own studio
    reviewers = await audience.studio_reviewers(ctx, studio)
    kept_off = {*insiders, entry.author_id}
    stalled = await stalls.no_reviewer(ctx, studio, "roles.stall.what.entry", kept_off=kept_off, reviewers=reviewers)
    if stalled is not None and ctx.person is not None:
        note = Reply(text=stalled)
        await ctx.notify(ctx.person, lambda t: note, key=f"stall:entry:{entry.id}:v{entry.version}")
    for person, principal_id in reviewers:
        if entry.author_id in (person.id, principal_id) or person.id in insiders:
            continue
        principal = await ctx.session.get(Person, principal_id) if principal_id else None

        def message(t: Translator, principal_name: str | None = principal.name if principal else None) -> Reply:
            lines = [card_text(t, entry, studio, fields, author, revision)]
            if files:
                lines.append(evidence.files_line(t, files))
            if principal_name:
                lines.append(t("reviews.as_delegate", principal=principal_name))
            return Reply(text="\n".join(lines), buttons=card_buttons(ctx, t, entry, files))

        await ctx.notify(person, message, key=f"rv:new:{entry.id}:v{entry.version}:{person.id}")


@router.button(ReviewPress)
async def review_button(ctx: Context, press: ReviewPress) -> list[Reply]:
    """Open an entry, approve several at once, or decide one version of an entry."""
    action, entry_id, version = press.action, press.entry_id, press.version
    if action is ReviewAction.OPEN and entry_id is not None:
        return [await open_entry(ctx, entry_id)]
    if action is ReviewAction.BATCH:
        return await start_batch(ctx)
    if action is ReviewAction.FILES and entry_id is not None:
        return await evidence.send_files(ctx, entry_id)
    if action not in DECISIONS or entry_id is None or version is None:
        return [Reply(text=ctx.t("engine.bad_button"))]
    decision = DECISIONS[action]
    if decision is Decision.APPROVE:
        return [(await decide(ctx, entry_id, version, decision))[0]]
    found = await still_waiting(ctx, entry_id, version)
    if isinstance(found, str):
        return [Reply(text=found, outcome_of_press=True)]
    what = ctx.t(f"reviews.asking.{action}", header=cards.header(ctx.t, found.entry, found.studio))
    return await ask_reason(ctx, "entry", what, entry=entry_id, version=version, action=action.value)


@reason_handler(router, "entry")
async def entry_reason(ctx: Context, values: Values, reason: str) -> list[Reply]:
    """Return or reject with the reason just given."""
    decision = DECISIONS[str(values["action"])]
    return [(await decide(ctx, int(values["entry"]), int(values["version"]), decision, reason))[0]]


def card_text(
    t: Translator,
    entry: LedgerEntry,
    studio: Studio,
    fields: dict[str, Any],
    author: Person | None,
    revision: revisions.Revision | None,
    *,
    new: bool = True,
) -> str:
    """The entry as a reviewer reads it: what kind of submission, the header, the earlier reason and the changes."""
    if revision is None:
        return "\n".join([*([t("reviews.new_entry")] if new else []), cards.summary(t, entry, studio, fields, author)])
    return "\n".join(
        [
            revisions.revision_title(t, revision),
            cards.header(t, entry, studio),
            *revisions.revision_lines(t, entry.kind, revision),
            *cards.details(t, entry, fields, author),
        ]
    )


async def open_entry(ctx: Context, entry_id: int) -> Reply:
    """The entry as it stands: with decision buttons for a reviewer while it waits, else its state."""
    entry = await reviews.fresh_entry(session=ctx.session, entry_id=entry_id)
    studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
    if entry is None or studio is None:
        return Reply(text=ctx.t("reviews.gone"))
    may_review = await checks.check(ctx, Action.REVIEW_ENTRY, studio=studio, entry=entry)
    if may_review is None and await checks.check(ctx, Action.VIEW_ENTRIES, studio=studio, entry=entry) is None:
        return Reply(text=checks.refusal(ctx, Action.VIEW_ENTRIES))
    fields, author = await cards.entry_card(ctx.session, entry, studio)
    waiting = entry.status is EntryStatus.SUBMITTED
    revision = await revisions.revision_of(ctx.session, entry) if waiting else None
    text = card_text(ctx.t, entry, studio, fields, author, revision, new=False)
    files = await evidence.files_of(ctx.session, entry)
    if files:
        text += "\n" + evidence.files_line(ctx.t, files)
    own = ctx.person is not None and ctx.person.id == entry.author_id
    if waiting and may_review is not None and not own:
        return Reply(text=text, buttons=card_buttons(ctx, ctx.t, entry, files))
    state = ctx.t("reviews.waiting") if waiting else await why_not(ctx, entry, entry.version)
    see = ((evidence.files_button(ctx, ctx.t, entry, files),),) if files else ()
    return Reply(text=f"{text}\n{state}", buttons=see)
