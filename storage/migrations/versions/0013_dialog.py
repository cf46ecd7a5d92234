"""attachments.description: the words sent with a photo or file, kept with it (issue 19)

Revision ID: 0013_dialog
Revises: 0011_hardening
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013_dialog'
down_revision: str | Sequence[str] | None = '0011_hardening'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the words sent with a photo or file (a Telegram caption), kept as its description
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('description')
