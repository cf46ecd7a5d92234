"""ledger head counts: participant_count and trainee_count, filled from the names already listed (issue 19)

Revision ID: 0010_typing
Revises: 0009_web
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010_typing'
down_revision: str | Sequence[str] | None = '0009_web'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (table, head count column, the names column it counted until now)
HEADCOUNTS = (('activity_versions', 'participant_count', 'participants'), ('training_versions', 'trainee_count', 'trainees'))


def upgrade() -> None:
    # A head count beside the names (names became optional): existing rows get the number of names they list.
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, count, names in HEADCOUNTS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(count, sa.Integer(), server_default='0', nullable=False))
        length = (
            f"CASE WHEN json_typeof({names}) = 'array' THEN json_array_length({names}) ELSE 0 END"
            if postgres
            else f'COALESCE(json_array_length({names}), 0)'
        )
        op.execute(f'UPDATE {table} SET {count} = {length}')


def downgrade() -> None:
    for table, count, _ in HEADCOUNTS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(count)
