"""independent expert review and 考核验收 (issue 17 items 2-4)

Revision ID: 0007_experts
Revises: 0006_roles
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0007_experts'
down_revision: str | Sequence[str] | None = '0006_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
