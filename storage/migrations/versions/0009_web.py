"""the web console's documents and sessions (issue 18)

Revision ID: 0009_web
Revises: 0008_batch
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0009_web'
down_revision: str | Sequence[str] | None = '0008_batch'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
