"""the reminder planner's bulk path (issue 21) — reserved; filled by that line of work or removed before it lands

Revision ID: 0015_planner
Revises: 0014_followups
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0015_planner'
down_revision: str | Sequence[str] | None = '0014_followups'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
