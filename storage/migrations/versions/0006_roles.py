"""roles that match the measures (issue 17 items 1, 6, 8)

Revision ID: 0006_roles
Revises: 0005_turnsafe
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0006_roles'
down_revision: str | Sequence[str] | None = '0005_turnsafe'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
