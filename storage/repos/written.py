"""What a session wrote and reads back in the same transaction: ledger version rows, an entry's first files.

A version row is never changed once written, and no other transaction can attach a file to an entry before the one
that created it commits: the session's own copies are what reading them again would return. The transaction's end
forgets them: after a rollback they are gone, and after a commit another transaction may attach files to the entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from storage.ledger_specs import LedgerVersion, kind_of
from storage.models import Attachment, LedgerKind

_VERSIONS, _FILES = "studio_written_versions", "studio_new_entry_files"


def wrote_version(session: AsyncSession, row: LedgerVersion) -> None:
    """Keep a version row just written (flushed) by this session."""
    session.info.setdefault(_VERSIONS, {})[kind_of(row), row.entry_id, row.version] = row


def written_version(session: AsyncSession, kind: LedgerKind, entry_id: int, version: int) -> LedgerVersion | None:
    """The version row this session wrote, if it did."""
    return session.info.get(_VERSIONS, {}).get((kind, entry_id, version))  # type: ignore[no-any-return]


def created_entry(session: AsyncSession, entry_id: int) -> None:
    """An entry created by this session: it has no files but those this session attaches."""
    session.info.setdefault(_FILES, {})[entry_id] = []


def attached(session: AsyncSession, row: Attachment) -> None:
    """Keep a file just attached (flushed), if its entry was created by this session."""
    files = session.info.get(_FILES, {}).get(row.entry_id)
    if files is not None:
        files.append(row)


def files_of_new(session: AsyncSession, entry_id: int) -> list[Attachment] | None:
    """Every file of an entry this session created, oldest first; None for any other entry."""
    files = session.info.get(_FILES, {}).get(entry_id)
    return None if files is None else list(files)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: SessionTransaction) -> Any:
    # the rows written are gone: what a later read returns is the database's again
    _forget_all(session)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> Any:
    # committed: others may now attach files to the entry, so a later read asks the database
    _forget_all(session)


def _forget_all(session: Session) -> None:
    session.info.pop(_VERSIONS, None)
    session.info.pop(_FILES, None)
