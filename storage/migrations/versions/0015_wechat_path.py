"""the OA path (issue 21): the senders still owed replies found without scanning the deliveries that owe nothing

Revision ID: 0015_wechat_path
Revises: 0014_planner
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_wechat_path'
down_revision: str | Sequence[str] | None = '0014_planner'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_seen_deliveries_owing',
        'seen_deliveries',
        ['seen_at', 'channel', 'user_id'],
        unique=False,
        postgresql_where=sa.text('owed IS true'),
        sqlite_where=sa.text('owed IS 1'),
    )


def downgrade() -> None:
    op.drop_index('ix_seen_deliveries_owing', table_name='seen_deliveries')
