"""The context of one turn: who speaks, in which language, the session, and ways to act."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import payloads
from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator
from handlers.core.payloads import Press
from handlers.core.types import Button, Incoming, Reply, reply_to_dict
from handlers.engine.router import Routes
from storage.models import ChannelIdentity, Conversation, Person, Role, RoleKind
from storage.repos import audit as audit_repo
from storage.repos import outbox

Row = TypeVar("Row")
Value = TypeVar("Value")


@dataclass
class Context:
    """Everything a command, flow or button handler may use during one turn."""

    session: AsyncSession
    config: HandlerConfig
    incoming: Incoming
    now: datetime
    routes: Routes
    person: Person | None = None
    identity: ChannelIdentity | None = None
    roles: list[Role] = field(default_factory=list)
    conversation: Conversation | None = None  # as it stood when the turn began
    memo: dict[tuple[object, ...], Any] = field(default_factory=dict)  # reads that a turn repeats
    t: Translator = field(default_factory=lambda: Translator(None))

    @property
    def today(self) -> date:
        """Today in the configured time zone."""
        return self.now.astimezone(self.config.tz).date()

    @property
    def channel(self) -> str:
        """The channel this turn came through."""
        return self.incoming.channel

    def has_role(self, kind: RoleKind, *, studio_id: int | None = None, union_id: int | None = None) -> bool:
        """Whether the speaker holds this role (in this studio or union, when given)."""
        return any(
            r.kind is kind
            and (studio_id is None or r.studio_id == studio_id)
            and (union_id is None or r.union_id == union_id)
            for r in self.roles
        )

    async def get(self, model: type[Row], ident: int) -> Row | None:
        """The row of this model with this primary key, read at most once a turn (the studio, asked for by several)."""
        # the session's identity map holds its objects weakly: one nobody kept was gone by the next ask, read again
        return await self.once(("get", model, ident), lambda: self.session.get(model, ident))

    async def once(self, key: tuple[object, ...], read: Callable[[], Awaitable[Value]]) -> Value:
        """What `read` gives, read at most once a turn under `key` (a read several parts of one turn ask for)."""
        if key not in self.memo:
            self.memo[key] = await read()
        return self.memo[key]  # type: ignore[no-any-return]  # stored under this key by this very method

    def button(self, label: str, press: Press) -> Button:
        """A button whose press comes back as this press, signed."""
        return Button(label=label, payload=payloads.pack(self.config.secret_key, press))

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the configured time zone."""
        return moment.astimezone(self.config.tz)

    async def notify(
        self,
        person: Person,
        render: Callable[[Translator], Reply],
        *,
        key: str,
        kind: str = "notice",
    ) -> bool:
        """Queue a message to another person, rendered in their language; once per key."""
        reply = render(Translator(person.locale))
        return await outbox.enqueue(
            session=self.session, key=key, person_id=person.id, payload=reply_to_dict(reply), kind=kind, due_at=self.now
        )

    async def audit(
        self,
        *,
        object_type: str,
        object_id: int,
        to_state: str,
        from_state: str | None = None,
        version: int | None = None,
        reason: str | None = None,
        studio_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a change of state in the audit trail, as done by the speaker through this channel."""
        await audit_repo.record(
            session=self.session,
            actor_id=self.person.id if self.person else None,
            channel=self.channel,
            object_type=object_type,
            object_id=object_id,
            to_state=to_state,
            from_state=from_state,
            version=version,
            reason=reason,
            studio_id=studio_id,
            detail=detail or {},
            at=self.now,
        )
