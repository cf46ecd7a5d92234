"""the year as a batch and applications that behave (issue 17 items 5, 7)

Revision ID: 0008_batch
Revises: 0007_experts
Create Date: 2026-12-07

A resubmission after 退回 points at the returned application (applications.resubmits_id); the association
sets each year's application window (application_windows); the naming list of each year is kept as named
(naming_list, numbered per year).
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
    op.create_table(
        'application_windows',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['set_by_id'], ['people.id'], name=op.f('fk_application_windows_set_by_id_people')),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_application_windows')),
    )
    op.create_table(
        'naming_list',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('studio_id', sa.Integer(), nullable=False),
        sa.Column('studio_name', sa.String(length=200), nullable=False),
        sa.Column('enterprise', sa.String(length=200), nullable=False),
        sa.Column('lead_name', sa.String(length=200), nullable=False),
        sa.Column('union_name', sa.String(length=200), nullable=False),
        sa.Column('named_on', sa.Date(), nullable=False),
        sa.Column('named_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['application_id'], ['applications.id'], name=op.f('fk_naming_list_application_id_applications')
        ),
        sa.ForeignKeyConstraint(['named_by_id'], ['people.id'], name=op.f('fk_naming_list_named_by_id_people')),
        sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_naming_list_studio_id_studios')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_naming_list')),
        sa.UniqueConstraint('application_id', name=op.f('uq_naming_list_application_id')),
        sa.UniqueConstraint('year', 'sequence', name=op.f('uq_naming_list_year_sequence')),
    )
    op.create_index(op.f('ix_naming_list_studio_id'), 'naming_list', ['studio_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_naming_list_studio_id'), table_name='naming_list')
    op.drop_table('naming_list')
    op.drop_table('application_windows')
    with op.batch_alter_table('applications') as batch:
        batch.drop_constraint(op.f('fk_applications_resubmits_id_applications'), type_='foreignkey')
        batch.drop_column('resubmits_id')
