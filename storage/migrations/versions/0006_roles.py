"""roles that match the measures (issue 17 items 1, 6, 8)

Revision ID: 0006_roles
Revises: 0005_turnsafe
Create Date: 2026-12-07

The roles of the 2016 measures: the association officer (市职工技协) and the enterprise union contact
(企业工会) become roles of their own. A reviewer held on the municipal union was the association's
officer, so it becomes an association role; an admin held on an enterprise union was that union's
contact, so it becomes an enterprise role. The column is a plain string, so only the data moves.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006_roles'
down_revision: str | Sequence[str] | None = '0005_turnsafe'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old kind, new kind, the level of the union the role is held on)
_MOVES = (('reviewer', 'association', 'municipal'), ('admin', 'enterprise', 'enterprise'))


_unions = sa.table('unions', sa.column('id'), sa.column('level'))
_roles = sa.table('roles', sa.column('kind'), sa.column('union_id'))


def _move(old: str, new: str, level: str) -> None:
    on_level = sa.select(_unions.c.id).where(_unions.c.level == level)
    op.execute(_roles.update().where(_roles.c.kind == old, _roles.c.union_id.in_(on_level)).values(kind=new))


def upgrade() -> None:
    for old, new, level in _MOVES:
        _move(old, new, level)


def downgrade() -> None:
    for old, new, level in _MOVES:
        _move(new, old, level)
