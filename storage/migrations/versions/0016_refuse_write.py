"""the batch's write standing alone (issue 21): a function that fails a statement, so it commits all or nothing

On PostgreSQL a batch of turns that wrote nothing else records its deliveries and moves its conversations in one
statement outside any transaction (storage/repos/batch_write.py); the statement calls refuse_write unless every
delivery was new and every conversation moved, which fails it, and so writes nothing of it. SQLite has no use for it.

Revision ID: 0016_refuse_write
Revises: 0015_wechat_path
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0016_refuse_write'
down_revision: str | Sequence[str] | None = '0015_wechat_path'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION refuse_write(reason text) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = reason, ERRCODE = 'check_violation'; END $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION refuse_write(text)")
