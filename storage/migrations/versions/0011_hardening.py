"""retention and delivery hardening (issue 20)

Revision ID: 0011_hardening
Revises: 0010_typing
Create Date: 2026-12-07

The global binding limit counts every account's failures in the last minutes: an index on
bind_attempts.at, so that the count reads a few index entries instead of the whole table.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0011_hardening'
down_revision: str | Sequence[str] | None = '0010_typing'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bind_attempts') as batch:
        batch.create_index('ix_bind_attempts_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bind_attempts') as batch:
        batch.drop_index('ix_bind_attempts_at')
