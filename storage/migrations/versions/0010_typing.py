"""headcounts, drafts and changes shown to reviewers (issue 19)

Revision ID: 0010_typing
Revises: 0009_web
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0010_typing'
down_revision: str | Sequence[str] | None = '0009_web'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
