"""The audit rows of an import: what it created, recorded as `union add`, `studio add` and `invite` record it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import AuditLog, Person, Studio, Union

CHANNEL = "import"  # the audit trail's channel for what an import writes
_Created = TypeVar("_Created", Union, Studio, Person)


@dataclass
class Created:
    """What an import created, for its audit rows (as `union add`, `studio add` and `invite` write them)."""

    rows: list[Union | Studio | Person] = field(default_factory=list)
    roles: list[tuple[int, dict[str, object], str]] = field(default_factory=list)  # (role id, its values, holder)

    def add(self, rows: list[_Created]) -> list[_Created]:
        """Remember new rows (flushed by the caller, so their ids are known when audited)."""
        self.rows.extend(rows)
        return rows


async def audit_created(session: AsyncSession, created: Created) -> None:
    """The audit rows of everything an import created, in one INSERT however many."""
    now = utcnow()
    kinds = {Union: "union", Studio: "studio", Person: "person"}
    rows: list[dict[str, object]] = [
        {
            "at": now,
            "channel": CHANNEL,
            "object_type": kinds[type(row)],
            "object_id": row.id,
            "to_state": "created",
            "studio_id": row.id if isinstance(row, Studio) else None,
            "detail": {},
        }
        for row in created.rows
    ]
    for role_id, role, name in created.roles:
        detail = {"kind": str(role["kind"]), "person_id": role["person_id"], "name": name}
        rows.append(
            {
                "at": now,
                "channel": CHANNEL,
                "object_type": "role",
                "object_id": role_id,
                "to_state": "active",
                "studio_id": role["studio_id"],
                "detail": detail,
            }
        )
    if rows:
        await session.execute(insert(AuditLog), rows)
