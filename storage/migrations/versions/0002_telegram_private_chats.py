"""telegram push targets back to private chats

Revision ID: 0002_telegram_private_chats
Revises: 0001_initial
Create Date: 2026-12-07 03:38:30.752116

A message in a group once made the group the sender's push target, so their ledgers, return reasons and
review cards went there. A person's private chat with a bot has the person's user id as its id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002_telegram_private_chats'
down_revision: str | Sequence[str] | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE channel_identities SET chat_id = external_id"
            " WHERE channel = 'telegram' AND chat_id <> external_id"
        )
    )


def downgrade() -> None:
    pass  # which group a push target had been moved to is forgotten on purpose: nothing to put back
