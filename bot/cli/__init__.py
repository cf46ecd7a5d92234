"""`studio-bot`: the command line. Each module registers its commands on `app`."""

from __future__ import annotations

from bot.cli import (
    admin,  # noqa: F401  - registers init, union, studio, invite
    audit,  # noqa: F401  - registers audit
    chat,  # noqa: F401  - registers chat
    demo,  # noqa: F401  - registers demo
    exports,  # noqa: F401  - registers export, assess, import
    remind,  # noqa: F401  - registers remind
    serve,  # noqa: F401  - registers serve
    web,  # noqa: F401  - registers web-link, web-logout
)
from bot.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `studio-bot` console script."""
    app()
