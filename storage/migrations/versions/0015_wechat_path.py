"""the OA path (issue 21): reserved slot for the WeChat path's indexes

Revision ID: 0015_wechat_path
Revises: 0014_planner
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0015_wechat_path'
down_revision: str | Sequence[str] | None = '0014_planner'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
