"""the web console: an index for the overview's figures (issue 18)

Revision ID: 0009_web
Revises: 0008_batch
Create Date: 2026-12-07

The console's overview asks, for every studio in scope at once, its last activity and the year's activities
per month: an index on (kind, status, occurred_on, studio_id) answers both from the index alone.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0009_web'
down_revision: str | Sequence[str] | None = '0008_batch'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_entries') as batch:
        batch.create_index(
            'ix_entries_kind_status_day', ['kind', 'status', 'occurred_on', 'studio_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries') as batch:
        batch.drop_index('ix_entries_kind_status_day')
