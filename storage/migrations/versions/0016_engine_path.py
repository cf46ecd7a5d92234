"""the engine path (issue 21): reserved slot for the engine's indexes

Revision ID: 0016_engine_path
Revises: 0015_wechat_path
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0016_engine_path'
down_revision: str | Sequence[str] | None = '0015_wechat_path'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
