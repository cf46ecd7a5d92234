"""Imports every feature module so that its commands, flows and buttons register themselves."""

from handlers import basic, binding, ledger_view  # noqa: F401
from handlers.flows import activity, outcome, training  # noqa: F401
from handlers import reviews  # noqa: F401
from handlers import lifecycle  # noqa: F401
from handlers.flows import application  # noqa: F401
from handlers import export_commands  # noqa: F401
