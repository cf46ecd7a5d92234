"""web console sign-in links and sessions

Revision ID: 0004_web
Revises: 0003_ops
Create Date: 2026-12-07

The web console (issue 18): one-time sign-in links and the sessions they open, both kept only as sha256 hashes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_web'
down_revision: str | Sequence[str] | None = '0003_ops'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_web_links_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_links_token_hash'))
    )
    with op.batch_alter_table('web_links', schema=None) as batch_op:
        batch_op.create_index('ix_web_links_person_created', ['person_id', 'created_at'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_web_sessions_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_person_id'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('web_links', schema=None) as batch_op:
        batch_op.drop_index('ix_web_links_person_created')

    op.drop_table('web_links')
