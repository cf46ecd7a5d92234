"""Binding: `绑定 CODE` links the sender's channel identity to the person a one-time code was issued for."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from storage.models import Person, RoleKind, Studio, Union
from storage.repos import invites, people

router = Router(__name__)


def role_key(kind: RoleKind) -> str:
    """The catalogue key of a role's name as the person is told it (binding.role.lead …)."""
    return f"binding.role.{kind.value}"


@router.command("bind", "绑定", help_key="basic.help.bind", needs_person=False, in_menu=False)
async def bind_command(ctx: Context, args: str) -> list[Reply]:
    """`绑定 CODE` / `/bind CODE`."""
    return await bind(ctx, args)


async def bind(ctx: Context, code: str) -> list[Reply]:
    """Redeem a code for this channel identity, refusing guessers."""
    inc = ctx.incoming
    locked_for = await _locked_minutes(ctx)
    if locked_for:
        return [Reply(text=ctx.t("binding.locked", minutes=locked_for))]
    if not invites.normalise_code(code):
        return [Reply(text=ctx.t("binding.usage"))]
    invite = await invites.find_invite(session=ctx.session, code=code)
    # wrong, used, expired and taken back (a replaced lead's code) get one answer, each counted as a failure:
    # a distinct answer, or a lockout that comes later, would confirm to a guesser that a code exists
    if (
        invite is None
        or invite.used_at is not None
        or invite.expires_at <= ctx.now
        or not await invites.role_still_held(session=ctx.session, invite=invite)
    ):
        if not inc.scanned:  # a scan's scene comes from a printed QR code, not from a guesser
            await people.record_bind_failure(session=ctx.session, channel=ctx.channel, user_id=inc.user_id, now=ctx.now)
        return [Reply(text=ctx.t("binding.wrong_code"))]
    person = await ctx.session.get(Person, invite.person_id)
    assert person is not None
    if ctx.identity is not None and ctx.identity.person_id != person.id:
        return [Reply(text=ctx.t("binding.bound_to_other"))]
    identity = ctx.identity or await people.bind_identity(
        session=ctx.session,
        person=person,
        channel=ctx.channel,
        external_id=inc.user_id,
        chat_id=inc.chat_id,
        now=ctx.now,
    )
    if not await invites.mark_used(session=ctx.session, invite=invite, identity_id=identity.id, now=ctx.now):
        raise RuntimeError("invite redeemed concurrently")  # the turn is rolled back and answered as an error
    ctx.person, ctx.identity = person, identity
    ctx.t = Translator(person.locale)
    await ctx.audit(object_type="identity", object_id=identity.id, to_state="bound", detail={"role": invite.role.value})
    place: Studio | Union | None = await ctx.session.get(Studio, invite.studio_id) if invite.studio_id else None
    if place is None and invite.union_id:
        place = await ctx.session.get(Union, invite.union_id)
    role = ctx.t(role_key(invite.role))
    if place is None:
        return [Reply(text=ctx.t("binding.done", name=person.name, role=role))]
    return [Reply(text=ctx.t("binding.done_at", name=person.name, role=role, place=place.name))]


async def _locked_minutes(ctx: Context) -> int:
    """Minutes binding is still refused: to this sender after its own failures, to all after everyone's."""
    cfg = ctx.config
    since = ctx.now - timedelta(minutes=cfg.bind_failure_window_minutes + cfg.bind_lockout_minutes)
    mine = await people.bind_failure_times(
        session=ctx.session, channel=ctx.channel, user_id=ctx.incoming.user_id, since=since
    )
    # counted in the database, so many accounts, or many processes, cannot each guess up to the per-sender limit
    everyone = await people.bind_failure_times(session=ctx.session, since=since)
    until = max(
        _locked_until(ctx, mine, cfg.bind_max_failures), _locked_until(ctx, everyone, cfg.bind_global_max_failures)
    )
    if until <= ctx.now:
        return 0
    return int((until - ctx.now).total_seconds() // 60) + 1


def _locked_until(ctx: Context, times: list[datetime], n: int) -> datetime:
    """The end of the latest lockout that n failures within the window started (or the epoch)."""
    window = timedelta(minutes=ctx.config.bind_failure_window_minutes)
    lockout = timedelta(minutes=ctx.config.bind_lockout_minutes)
    return max(
        (times[i + n - 1] + lockout for i in range(len(times) - n + 1) if times[i + n - 1] - times[i] <= window),
        default=datetime.min.replace(tzinfo=ctx.now.tzinfo),
    )
