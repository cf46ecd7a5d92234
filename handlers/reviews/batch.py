"""What reviewers of ledger entries find in 待审: the entries waiting for them, and approving several at once."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.presses import GoPress, ReviewAction, ReviewPress
from handlers.core.types import Button, Reply
from handlers.core.width import cut
from handlers.decisions import audience
from handlers.decisions.pending import Item, pending_source
from handlers.decisions.reason import busy
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, Step, Values
from handlers.engine.router import Router
from handlers.reviews import cards, revisions
from handlers.reviews.decide import decide
from handlers.roles import checks, matching
from handlers.roles.permissions import Subject
from storage.models import DECIDING_ROLES, Decision, LedgerEntry, Studio
from storage.repos import ledgers, reviews

router = Router(__name__)
BATCH_MAX = 20


async def waiting_for(ctx: Context, subject: Subject, limit: int = BATCH_MAX) -> list[tuple[LedgerEntry, Studio]]:
    """The submitted entries this person may review (in their own name or a delegating reviewer's), oldest first."""
    grants = [g for g in subject.grants if g.kind in DECIDING_ROLES and g.union_id is not None]
    covered = await audience.unions_reviewed_by(ctx.session, {g.union_id for g in grants if g.union_id})
    rows = await reviews.waiting_entries(session=ctx.session, union_ids=covered, limit=limit + 5)
    principals = {g.on_behalf_of for g in grants if g.on_behalf_of is not None}
    if principals:  # a stand-in does not review the entries of the reviewer they stand in for
        own = {g.union_id for g in grants if g.on_behalf_of is None and g.union_id}
        own_covered = await audience.unions_reviewed_by(ctx.session, own) if own else set()
        rows = [(e, s) for e, s in rows if e.author_id not in principals or s.union_id in own_covered]
    # nobody reviews their own entries, nor (permissions.NOT_ON_OWN_STUDIO) those of a studio they belong to
    theirs = [(e, s) for e, s in rows if e.author_id != subject.person_id and not matching.belongs(subject, s.id)]
    return theirs[:limit]


def batch_button(ctx: Context, items: list[Item]) -> Button | None:
    """Approve several at once, offered when two or more entries wait."""
    if len(items) < 2:
        return None
    return ctx.button(ctx.t("reviews.button.batch", count=min(len(items), BATCH_MAX)), ReviewPress(ReviewAction.BATCH))


@pending_source(router, "reviews.pending.section.entries", batch_button)
async def entry_items(ctx: Context, subject: Subject) -> list[Item]:
    """Submitted entries of the studios this person reviews."""
    items = []
    waiting = await waiting_for(ctx, subject)
    kinds = await revisions.kinds_of(ctx.session, [entry for entry, _ in waiting])
    for entry, studio in waiting:
        days = max((ctx.today - ctx.local(entry.status_changed_at).date()).days, 0)
        line = ctx.t("reviews.pending.entry", header=cards.header(ctx.t, entry, studio), days=days)
        if entry.id in kinds:  # as the card's title says it: a resubmission, an edit of an approved entry
            line = f"{revisions.revision_tag(ctx.t, kinds[entry.id])} {line}"
        items.append(
            Item(entry.status_changed_at, line, cut(entry.title, 24), ReviewPress(ReviewAction.OPEN, entry.id))
        )
    return items


async def start_batch(ctx: Context) -> list[Reply]:
    """Begin choosing several waiting entries to approve at once."""
    refusal = await busy(ctx)
    return [refusal] if refusal is not None else await start_flow(ctx, "review_batch")


@router.command("approve_batch", "批量通过", help_key="reviews.help.batch", in_menu=False)
async def batch_command(ctx: Context, args: str) -> list[Reply]:
    """批量通过: the same as the batch button."""
    return await start_batch(ctx)


async def batch_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The waiting entries as toggles (the value pins the version seen), and those already picked."""
    subject = await checks.subject_of(ctx)
    label = "reviews.batch.choice"
    choices = [
        Choice(f"{e.id}.{e.version}", ctx.t(label, title=cut(e.title, 40), studio=s.name))
        for e, s in await waiting_for(ctx, subject)
    ]
    shown = {c.value for c in choices}
    for value in values.get("entries") or []:
        entry_id = str(value).partition(".")[0]
        entry = await reviews.fresh_entry(session=ctx.session, entry_id=int(entry_id)) if entry_id.isdigit() else None
        studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
        if entry is not None and studio is not None and value not in shown:
            # picked, then decided by somebody else: still named in the summary
            choices.append(Choice(value, ctx.t(label, title=cut(entry.title, 40), studio=studio.name)))
    return choices


async def batch_prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Refuse when nothing waits."""
    if not await batch_choices(ctx, values):
        return [Reply(text=ctx.t("reviews.pending.none"))]
    return None


async def batch_submit(ctx: Context, values: Values) -> list[Reply]:
    """Approve every chosen entry version that still waits; say what happened to the others."""
    done, others = 0, []
    for value in values.get("entries") or []:
        entry_id, _, version = str(value).partition(".")
        if not (entry_id.isdigit() and version.isdigit()):
            continue
        reply, landed = await decide(ctx, int(entry_id), int(version), Decision.APPROVE)
        if landed:
            done += 1
        else:
            entry = await ledgers.get_entry(session=ctx.session, entry_id=int(entry_id))
            title = entry.title if entry else "?"
            others.append(ctx.t("reviews.batch.not_done", number=entry_id, title=title, why=reply.text))
    text = "\n".join([ctx.t("reviews.batch.done", count=done), *others])
    more = (ctx.button(ctx.t("reviews.button.pending"), GoPress("pending")),)
    return [Reply(text=text, buttons=(more,), outcome_of_press=True)]


BATCH = router.flow(
    Flow(
        name="review_batch",
        title="reviews.batch.title",
        steps=(Step("entries", "reviews.batch.ask", "reviews.batch.label", choices=batch_choices, multi=True),),
        submit=batch_submit,
        prepare=batch_prepare,
    )
)
