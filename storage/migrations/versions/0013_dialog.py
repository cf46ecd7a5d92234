"""what reviewers are shown of a change, and two studios per person (issue 19 items 4-6, 8)

Revision ID: 0013_dialog
Revises: 0012_speed
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013_dialog'
down_revision: str | Sequence[str] | None = '0012_speed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the words sent with a photo or file (a Telegram caption), kept as its description
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('description')
