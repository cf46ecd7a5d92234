"""the year as a batch and applications that behave (issue 17 items 5, 7)

Revision ID: 0008_batch
Revises: 0007_experts
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0008_batch'
down_revision: str | Sequence[str] | None = '0007_experts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
