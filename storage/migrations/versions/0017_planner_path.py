"""the planner path (issue 21): reserved slot for the planner's indexes

Revision ID: 0017_planner_path
Revises: 0016_engine_path
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0017_planner_path'
down_revision: str | Sequence[str] | None = '0016_engine_path'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
