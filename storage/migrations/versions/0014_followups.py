"""follow-up replies owed by WeChat and WeCom turns (issue 20) — reserved; filled by that line of work or removed before it lands

Revision ID: 0014_followups
Revises: 0013_dialog
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0014_followups'
down_revision: str | Sequence[str] | None = '0013_dialog'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
