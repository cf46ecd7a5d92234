"""One-time sign-in links (signed, single use, short-lived) and the server-side sessions they open.

A link's token is `nonce.expiry.tag`: the tag (HMAC-SHA256 of SECRET_KEY) refuses a forged or altered
token before the database is asked; the database holds only the nonce's sha256 and marks it used once.
A session's cookie is a random secret stored only as its sha256; its CSRF token is derived from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import HandlerConfig
from handlers.web.viewer import CHANNEL
from storage.models import WebSession
from storage.repos import audit, web_sessions

_LINK = b"web-link\x00"  # domain separation: a button's or a download link's tag never passes as a sign-in tag
_CSRF = b"web-csrf\x00"
TAG_CHARS = 32
MAX_LINKS = 5  # links a person may ask for in LINK_WINDOW
LINK_WINDOW = timedelta(minutes=10)
TOUCH_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


class SignInError(Exception):
    """A link that must not sign anyone in: `bad` (forged, damaged), `expired` or `used`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoBaseUrl(Exception):
    """PUBLIC_BASE_URL is not set, so no link can be made."""


def _tag(secret: bytes, domain: bytes, body: str) -> str:
    digest = hmac.new(secret, domain + body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TAG_CHARS]


def make_token(secret: bytes, nonce: str, expires_at: datetime) -> str:
    """The token of a link: the nonce, its expiry, and their tag."""
    body = f"{nonce}.{int(expires_at.timestamp())}"
    return f"{body}.{_tag(secret, _LINK, body)}"


def verify_token(secret: bytes, token: str, *, now: datetime) -> str:
    """The nonce of a well-signed, unexpired token; SignInError otherwise."""
    body, _, tag = token.rpartition(".")
    nonce, _, expiry = body.partition(".")
    if not nonce or not expiry.isdigit() or not hmac.compare_digest(tag.encode(), _tag(secret, _LINK, body).encode()):
        raise SignInError("bad")
    if now.timestamp() >= int(expiry):
        raise SignInError("expired")
    return nonce


def link_url(config: HandlerConfig, token: str) -> str:
    """The address a token opens."""
    return f"{config.public_base_url.rstrip('/')}/web/login/{token}"


async def issue_link(
    session: AsyncSession, config: HandlerConfig, person_id: int, *, now: datetime, limited: bool = True
) -> str | None:
    """A new sign-in link for a person; None when they asked for too many lately (unless not `limited`)."""
    if not config.public_base_url:
        raise NoBaseUrl
    if limited and await web_sessions.links_since(session=session, person_id=person_id, since=now - LINK_WINDOW) >= (
        MAX_LINKS
    ):
        return None
    nonce = secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=config.web_link_ttl_minutes)
    await web_sessions.add_link(session=session, person_id=person_id, token=nonce, expires_at=expires, now=now)
    return link_url(config, make_token(config.secret_key, nonce, expires))


async def check_link(session: AsyncSession, config: HandlerConfig, token: str, *, now: datetime) -> int:
    """The person a link would sign in, without using it up; SignInError if it would not."""
    nonce = verify_token(config.secret_key, token, now=now)
    link = await web_sessions.find_link(session=session, token=nonce)
    if link is None:
        raise SignInError("bad")
    if link.used_at is not None:
        raise SignInError("used")
    if link.expires_at <= now:
        raise SignInError("expired")
    return link.person_id


async def redeem_link(session: AsyncSession, config: HandlerConfig, token: str, *, now: datetime) -> str:
    """Use a link up and open a session for its person: the new session's cookie secret; SignInError if refused."""
    person_id = await check_link(session, config, token, now=now)
    link = await web_sessions.find_link(session=session, token=verify_token(config.secret_key, token, now=now))
    assert link is not None
    if not await web_sessions.use_link(session=session, link_id=link.id, now=now):
        raise SignInError("used")  # another request used it between our read and our update
    cookie = secrets.token_urlsafe(32)
    opened = await web_sessions.open_session(session=session, person_id=person_id, token=cookie, now=now)
    await _audit(session, person_id, "web_signed_in", opened.id, now)
    return cookie


@dataclass(frozen=True)
class Signed:
    """A live session: its row and the person it signs in."""

    row: WebSession
    person_id: int


async def resume(session: AsyncSession, config: HandlerConfig, cookie: str, *, now: datetime) -> Signed | None:
    """The live session behind a cookie (its idle clock restarted), or None once idle too long or too old."""
    if not cookie:
        return None
    idle = timedelta(hours=config.web_session_idle_hours)
    lifetime = timedelta(days=config.web_session_max_days)
    row = await web_sessions.live_session(session=session, token=cookie, now=now, idle=idle, lifetime=lifetime)
    if row is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await web_sessions.touch(session=session, session_id=row.id, now=now)
    return Signed(row, row.person_id)


def csrf_token(config: HandlerConfig, cookie: str) -> str:
    """The CSRF token of the session behind this cookie (every form carries it)."""
    return _tag(config.secret_key, _CSRF, web_sessions.hash_token(cookie))


def csrf_ok(config: HandlerConfig, cookie: str, given: str) -> bool:
    """Whether a form's token is this session's."""
    return bool(cookie and given) and hmac.compare_digest(given.encode(), csrf_token(config, cookie).encode())


async def sign_out(session: AsyncSession, signed: Signed, *, now: datetime) -> None:
    """End this session (audited: the person signed out, on the web)."""
    await web_sessions.revoke(session=session, session_id=signed.row.id, now=now)
    await _audit(session, signed.person_id, "web_signed_out", signed.row.id, now)


async def _audit(session: AsyncSession, person_id: int, state: str, session_id: int, now: datetime) -> None:
    # the session's number tells sign-in and sign-out apart per browser; its cookie is never written anywhere
    await audit.record(
        session=session,
        actor_id=person_id,
        channel=CHANNEL,
        object_type="person",
        object_id=person_id,
        to_state=state,
        detail={"session": session_id},
        at=now,
    )


async def sign_out_everywhere(session: AsyncSession, person_id: int, *, now: datetime) -> int:
    """End every session of a person and void their unused links; how many sessions ended."""
    return await web_sessions.revoke_all(session=session, person_id=person_id, now=now)
