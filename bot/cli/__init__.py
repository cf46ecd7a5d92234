"""`studio-bot`: the command line. Each module registers its commands on `app`."""

from __future__ import annotations

from bot.cli import (
    admin,  # noqa: F401  - registers init, invite
    audit,  # noqa: F401  - registers audit
    backup,  # noqa: F401  - registers backup, restore
    chat,  # noqa: F401  - registers chat
    demo,  # noqa: F401  - registers demo
    doctor,  # noqa: F401  - registers doctor
    documents,  # noqa: F401  - registers document
    exports,  # noqa: F401  - registers export, assess, import
    members,  # noqa: F401  - registers members
    org_add,  # noqa: F401  - registers the union and studio groups, union add, studio add
    org_people,  # noqa: F401  - registers person list|show|rename|set|merge
    org_roles,  # noqa: F401  - registers role list|revoke
    org_studios,  # noqa: F401  - registers studio list|show|rename|move|set|deactivate
    org_unions,  # noqa: F401  - registers union list|show|rename|move|deactivate
    outbox,  # noqa: F401  - registers outbox list|requeue
    remind,  # noqa: F401  - registers remind
    serve,  # noqa: F401  - registers serve
    web,  # noqa: F401  - registers web-link, web-logout
    windows,  # noqa: F401  - registers window set|list
)
from bot.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `studio-bot` console script."""
    app()
