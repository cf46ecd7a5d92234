"""retention and delivery hardening (issue 20)

Revision ID: 0011_hardening
Revises: 0010_typing
Create Date: 2026-12-07

One revision per line of work, chained in advance so that parallel branches each fill their own file
and merge without re-chaining; a revision with nothing to change stays a no-op.
"""

from collections.abc import Sequence


revision: str = '0011_hardening'
down_revision: str | Sequence[str] | None = '0010_typing'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
