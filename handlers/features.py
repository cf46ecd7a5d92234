"""Imports every feature module so that its commands, flows and buttons register themselves."""

from handlers import (  # noqa: F401
    basic,
    binding,
    export_commands,
    ledger_view,
    lifecycle,
    reviews,
    vacation,
)
from handlers.flows import activity, application, outcome, training  # noqa: F401
