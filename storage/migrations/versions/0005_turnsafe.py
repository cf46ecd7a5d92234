"""replies owed: a delivery's replies not yet confirmed sent

Revision ID: 0005_turnsafe
Revises: 0004_web
Create Date: 2026-12-07

A turn commits before its replies go out; a crash between the two lost them (issue 20, item 8). The
sender's id and whether the replies are still owed are kept with the delivery, so that the person's
next turn delivers them first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_turnsafe'
down_revision: str | Sequence[str] | None = '0004_web'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('seen_deliveries') as batch:
        batch.add_column(sa.Column('user_id', sa.String(length=191), nullable=True))
        batch.add_column(sa.Column('owed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_index('ix_seen_deliveries_owed', ['channel', 'user_id', 'owed'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seen_deliveries') as batch:
        batch.drop_index('ix_seen_deliveries_owed')
        batch.drop_column('owed')
        batch.drop_column('user_id')
