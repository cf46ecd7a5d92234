"""the year as a batch and applications that behave (issue 17 items 5, 7)

Revision ID: 0008_batch
Revises: 0007_experts
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.

A resubmission after 退回 points at the returned application (applications.resubmits_id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008_batch'
down_revision: str | Sequence[str] | None = '0007_experts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('resubmits_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_applications_resubmits_id_applications'), 'applications', ['resubmits_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.drop_constraint(op.f('fk_applications_resubmits_id_applications'), type_='foreignkey')
        batch.drop_column('resubmits_id')
