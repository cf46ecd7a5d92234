"""One-time binding codes: issued in plain once, stored only as a hash, redeemed once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import InviteCode, Person, Role, RoleKind, Studio, Union

# No 0/O, 1/I/L: people copy these codes by hand from a printout.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def normalise_code(code: str) -> str:
    """Upper-case, without spaces or dashes, as people type codes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    """Whether text could be a code we issued: our alphabet and length, as typed or scanned."""
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def hash_code(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


async def issue_invite(
    *,
    session: AsyncSession,
    person: Person,
    role: RoleKind,
    studio: Studio | None = None,
    union: Union | None = None,
    ttl: timedelta = timedelta(days=14),
    now: datetime | None = None,
) -> tuple[str, InviteCode]:
    """Create a code for this person and role; return the plain code (shown once) and its row."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    invite = InviteCode(
        code_hash=hash_code(code),
        person_id=person.id,
        role=role,
        studio_id=studio.id if studio else None,
        union_id=union.id if union else None,
        expires_at=(now or utcnow()) + ttl,
    )
    session.add(invite)
    await session.flush()
    return code, invite


async def find_invite(*, session: AsyncSession, code: str) -> InviteCode | None:
    """The invite a typed code stands for, used or not."""
    return await session.scalar(select(InviteCode).where(InviteCode.code_hash == hash_code(code)))


async def mark_used(*, session: AsyncSession, invite: InviteCode, identity_id: int, now: datetime) -> bool:
    """Redeem the invite once, before it expires; False if someone redeemed it first or it has expired."""
    result = await session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None), InviteCode.expires_at > now)
        .values(used_at=now, used_by_identity_id=identity_id)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def role_still_held(*, session: AsyncSession, invite: InviteCode) -> bool:
    """Whether the person still holds, active, the role the invite was issued for (a replaced lead does not)."""
    query = select(Role.id).where(
        Role.person_id == invite.person_id,
        Role.kind == invite.role,
        Role.studio_id == invite.studio_id if invite.studio_id is not None else Role.studio_id.is_(None),
        Role.union_id == invite.union_id if invite.union_id is not None else Role.union_id.is_(None),
        Role.active.is_(True),
    )
    return await session.scalar(query.limit(1)) is not None
