"""the reminder planner's bulk path (issue 21): indexes for each studio's newest entry of a kind and a month's digest

Revision ID: 0014_planner
Revises: 0013_dialog
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014_planner'
down_revision: str | Sequence[str] | None = '0013_dialog'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_studio_kind_id', ['studio_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_entries_created_studio', ['created_at', 'studio_id'], unique=False)
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_decided_at', ['decided_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_decided_at')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_created_studio')
        batch_op.drop_index('ix_entries_studio_kind_id')
