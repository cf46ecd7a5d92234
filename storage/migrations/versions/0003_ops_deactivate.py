"""unions, studios and people can be deactivated

Revision ID: 0003_ops
Revises: 0002_telegram_private_chats
Create Date: 2026-12-10 09:00:00

The organisation commands never delete: a union or studio is deactivated (it keeps its history and
drops out of lists, reminders and pickers), and a person merged into another is deactivated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003_ops"
down_revision: str | Sequence[str] | None = "0002_telegram_private_chats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("unions", "studios", "people")


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: SQLite's batch mode copies the table, and dropping the old
    # people table fails while other rows refer to it (foreign keys are on).
    for table in TABLES:
        op.add_column(table, sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("active")
