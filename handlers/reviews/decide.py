"""Deciding one entry version: every check again at each press, exactly one decision, the lead told."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.i18n import Translator
from handlers.core.presses import GoPress
from handlers.core.types import Button, Reply
from handlers.decisions.reason import told
from handlers.engine.context import Context
from handlers.reviews import cards
from handlers.roles import checks, matching
from handlers.roles.permissions import Action, Grant
from storage.models import Decision, EntryStatus, LedgerEntry, Person, Studio
from storage.repos import org, reviews

DECISIONS = {"approve": Decision.APPROVE, "return": Decision.RETURN, "reject": Decision.REJECT}


@dataclass(frozen=True)
class Waiting:
    """An entry version that still waits, and the grant that lets the speaker decide it."""

    entry: LedgerEntry
    studio: Studio
    grant: Grant


def word(decision: Decision) -> str:
    """The message key of a decision's past-tense word (通过/退回/驳回)."""
    return f"reviews.decision.{decision.value}"


async def why_not(ctx: Context, entry: LedgerEntry, version: int) -> str:
    """Why this entry version no longer waits: who decided it and when, a newer version, or a withdrawal."""
    prior = await reviews.decision_for_entry(session=ctx.session, entry_id=entry.id, version=version)
    if prior is not None:
        viewer = ctx.person.id if ctx.person else None
        return await cards.decided_by(
            ctx.session, ctx.t, prior, ctx.config.tz, word_key=word(prior.decision), viewer_id=viewer
        )
    if entry.version < version:  # the edit was withdrawn: the entry is back at an approved version
        return ctx.t("reviews.edit_withdrawn", old=version, new=entry.version)
    if entry.version != version:
        return ctx.t("reviews.newer_version", old=version, new=entry.version)
    if entry.status is EntryStatus.WITHDRAWN:
        return ctx.t("reviews.withdrawn")
    return ctx.t("reviews.not_waiting", status=ctx.t(f"reviews.status.{entry.status.value}"))


async def still_waiting(ctx: Context, entry_id: int, version: int) -> Waiting | str:
    """The waiting entry and the speaker's grant, or the text that says why nothing can be done."""
    entry = await reviews.fresh_entry(session=ctx.session, entry_id=entry_id)
    studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
    if entry is None or studio is None:
        return ctx.t("reviews.gone")
    subject = await checks.subject_of(ctx)
    target = await checks.target_of(ctx.session, studio, entry)
    grant = matching.decide(subject, Action.REVIEW_ENTRY, target)
    if grant is None:
        # a reviewer (or stand-in) refused for their own entry or their own studio is told so; anyone else gets the rule
        if matching.kept_off_own_studio(subject, Action.REVIEW_ENTRY, target):
            own = ctx.person is not None and entry.author_id == ctx.person.id
            return ctx.t("reviews.own_entry" if own else "reviews.own_studio")
        return checks.refusal(ctx, Action.REVIEW_ENTRY)
    if ctx.person is not None and entry.author_id == ctx.person.id:
        return ctx.t("reviews.own_entry")
    if grant.on_behalf_of is not None and entry.author_id == grant.on_behalf_of:
        return ctx.t("reviews.principal_entry")  # a stand-in may not approve the entry of the one they stand in for
    if entry.version != version or entry.status is not EntryStatus.SUBMITTED:
        return await why_not(ctx, entry, version)
    return Waiting(entry, studio, grant)


async def decide(
    ctx: Context, entry_id: int, version: int, decision: Decision, reason: str | None = None
) -> tuple[Reply, bool]:
    """Decide if the entry version still waits: the reply to the presser, and whether the decision landed."""
    found = await still_waiting(ctx, entry_id, version)
    if isinstance(found, str):
        return told(ctx, found, reason), False
    assert ctx.person is not None
    row = await reviews.decide_entry(
        session=ctx.session,
        entry_id=entry_id,
        version=version,
        decision=decision,
        reviewer_id=ctx.person.id,
        channel=ctx.channel,
        now=ctx.now,
        reason=reason,
        on_behalf_of_id=found.grant.on_behalf_of,
    )
    entry = await reviews.fresh_entry(session=ctx.session, entry_id=entry_id)
    assert entry is not None
    if row is None:  # somebody else got there between our check and our update
        return told(ctx, await why_not(ctx, entry, version), reason), False
    await ctx.audit(
        object_type="entry",
        object_id=entry.id,
        version=version,
        from_state=EntryStatus.SUBMITTED.value,
        to_state=entry.status.value,
        reason=reason,
        studio_id=entry.studio_id,
        detail={"decision": decision.value, "on_behalf_of": found.grant.on_behalf_of},
    )
    await _tell_lead(ctx, entry, found.studio, decision, reason, found.grant.on_behalf_of)
    text = ctx.t(f"reviews.done.{decision.value}", header=cards.header(ctx.t, entry, found.studio))
    more = (ctx.button(ctx.t("reviews.button.pending"), GoPress("pending")),)
    return Reply(text=text, buttons=(more,), outcome_of_press=True), True


async def _tell_lead(
    ctx: Context, entry: LedgerEntry, studio: Studio, decision: Decision, reason: str | None, principal_id: int | None
) -> None:
    assert ctx.person is not None
    name = ctx.person.name
    principal = await ctx.session.get(Person, principal_id) if principal_id is not None else None
    recipients = {p.id: p for p in await org.leads_of(session=ctx.session, studio_id=studio.id)}
    author = await ctx.session.get(Person, entry.author_id)
    if author is not None:
        recipients.setdefault(author.id, author)
    # a returned or rejected edit of an approved entry leaves the approved version standing: say so
    approved = None
    if decision is not Decision.APPROVE:
        approved = await reviews.last_approved_version(session=ctx.session, entry_id=entry.id, below=entry.version)
    key = f"reviews.told.{decision.value}" + ("_edit" if approved is not None else "")

    def message(t: Translator) -> Reply:
        reviewer = t("reviews.on_behalf", name=name, principal=principal.name) if principal else name
        text = t(key, header=cards.header(t, entry, studio), reviewer=reviewer, reason=reason or "", approved=approved)
        buttons = ((_ledger_button(ctx, t),),) if decision is not Decision.APPROVE else ()
        return Reply(text=text, buttons=buttons)

    for person in recipients.values():
        await ctx.notify(person, message, key=f"rv:done:{entry.id}:v{entry.version}:{person.id}")


def _ledger_button(ctx: Context, t: Translator) -> Button:
    return ctx.button(t("reviews.button.ledger"), GoPress("ledger"))
