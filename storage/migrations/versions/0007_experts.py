"""independent expert review and 考核验收 (issue 17 items 2-4)

Revision ID: 0007_experts
Revises: 0006_roles
Create Date: 2026-12-07

The association may admit a studio short of a 原则上 condition of 第三条 with a reason
(condition_admissions); the expert committee scores a management cycle like an application
(cycle_scores); a cycle keeps its assessment figures as they stood at its end (cycles.frozen_figures).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_experts'
down_revision: str | Sequence[str] | None = '0006_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('condition_admissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('admitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admitted_by_id'], ['people.id'], name=op.f('fk_condition_admissions_admitted_by_id_people')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_condition_admissions_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_admissions')),
    sa.UniqueConstraint('studio_id', 'condition', 'year', name=op.f('uq_condition_admissions_studio_id_condition_year'))
    )
    with op.batch_alter_table('condition_admissions') as batch:
        batch.create_index(batch.f('ix_condition_admissions_studio_id'), ['studio_id'], unique=False)
    op.create_table('cycle_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_scores_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['expert_id'], ['people.id'], name=op.f('fk_cycle_scores_expert_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_scores')),
    sa.UniqueConstraint('cycle_id', 'expert_id', name=op.f('uq_cycle_scores_cycle_id_expert_id'))
    )
    with op.batch_alter_table('cycle_scores') as batch:
        batch.create_index(batch.f('ix_cycle_scores_cycle_id'), ['cycle_id'], unique=False)
    # a plain add_column: a batch would copy `cycles`, which studios' rows refer to
    op.add_column('cycles', sa.Column('frozen_figures', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycle_scores') as batch:
        batch.drop_index(batch.f('ix_cycle_scores_cycle_id'))
    op.drop_table('cycle_scores')
    with op.batch_alter_table('condition_admissions') as batch:
        batch.drop_index(batch.f('ix_condition_admissions_studio_id'))
    op.drop_table('condition_admissions')
    # last: cycle_scores referred to cycles, and a batch copies the table
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('frozen_figures')
