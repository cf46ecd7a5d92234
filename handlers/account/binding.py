"""Binding: `绑定 CODE` links the sender's channel identity to the person a one-time code was issued for."""

from __future__ import annotations

from datetime import timedelta

from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from storage.models import Person
from storage.repos import invites, people

router = Router(__name__)

ROLE_KEYS = {
    "lead": "binding.role.lead",
    "member": "binding.role.member",
    "reviewer": "binding.role.reviewer",
    "admin": "binding.role.admin",
    "expert": "binding.role.expert",
}


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
    problem = None
    if invite is None:
        problem = "binding.wrong_code"
    elif invite.used_at is not None:
        problem = "binding.used_code"
    elif invite.expires_at <= ctx.now:
        problem = "binding.expired_code"
    if problem is not None or invite is None:
        if not inc.scanned:  # a scan's scene comes from a printed QR code, not from a guesser
            await people.record_bind_failure(session=ctx.session, channel=ctx.channel, user_id=inc.user_id, now=ctx.now)
        return [Reply(text=ctx.t(problem or "binding.wrong_code"))]
    if not await invites.role_still_held(session=ctx.session, invite=invite):
        # Not a guess: the code is real but its role was taken back (a replaced lead), so no failure is counted.
        return [Reply(text=ctx.t("binding.role_inactive", role=ctx.t(ROLE_KEYS[invite.role.value])))]
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
    return [Reply(text=ctx.t("binding.done", name=person.name, role=ctx.t(ROLE_KEYS[invite.role.value])))]


async def _locked_minutes(ctx: Context) -> int:
    """Minutes this sender is still refused: after N failures within the window, for the lockout period."""
    cfg = ctx.config
    window = timedelta(minutes=cfg.bind_failure_window_minutes)
    lockout = timedelta(minutes=cfg.bind_lockout_minutes)
    times = await people.bind_failure_times(
        session=ctx.session, channel=ctx.channel, user_id=ctx.incoming.user_id, since=ctx.now - window - lockout
    )
    n = cfg.bind_max_failures
    until = max(
        (times[i + n - 1] + lockout for i in range(len(times) - n + 1) if times[i + n - 1] - times[i] <= window),
        default=None,
    )
    if until is None or until <= ctx.now:
        return 0
    return int((until - ctx.now).total_seconds() // 60) + 1
