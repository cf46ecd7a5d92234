"""Every ledger's chat side, one entry each: its flow module, command words and place in help.

The storage side of each ledger (model, fields, columns, catalogue prefix) is `storage.ledger_specs`;
an entry here refers to it and adds only what chat needs.
"""

from __future__ import annotations

from handlers.engine.router import Router
from handlers.ledgers import activity, outcome, training
from handlers.ledgers.form import LedgerForm, ledger_router
from storage.ledger_specs import SPECS
from storage.models import LedgerKind

FORMS = (
    LedgerForm(
        SPECS[LedgerKind.ACTIVITY],
        activity.router,
        flow=activity.ACTIVITY.name,
        words=("记录活动",),
        order=10,
        values_of=activity.values_of,
    ),
    LedgerForm(
        SPECS[LedgerKind.OUTCOME],
        outcome.router,
        flow=outcome.OUTCOME.name,
        words=("记录成果",),
        order=20,
        values_of=outcome.values_of,
    ),
    LedgerForm(
        SPECS[LedgerKind.TRAINING],
        training.router,
        flow=training.TRAINING.name,
        words=("记录培训",),
        order=30,
        values_of=training.values_of,
    ),
)

router = Router(__name__).include(*(ledger_router(form) for form in FORMS))
