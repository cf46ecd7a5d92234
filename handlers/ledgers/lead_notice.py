"""The studio's lead hears when a member submits an entry (or a new version of one) in the studio's name."""

from __future__ import annotations

from handlers.core.i18n import Translator
from handlers.core.presses import LedgerAction, LedgerPress
from handlers.core.types import Reply
from handlers.decisions import audience
from handlers.engine.context import Context
from handlers.engine.events import on_entry_submitted
from handlers.engine.router import Router
from storage.ledger_specs import SPECS
from storage.models import LedgerEntry, Studio

router = Router(__name__)


@on_entry_submitted(router)
async def tell_lead(ctx: Context, entry: LedgerEntry) -> None:
    """Queue a notice to each lead of the entry's studio, unless the lead submitted it."""
    if ctx.person is None:
        return
    studio = await ctx.get(Studio, entry.studio_id)
    if studio is None:
        return
    author = ctx.person.name

    def message(t: Translator) -> Reply:
        text = t(
            "ledger.member_submitted",
            name=author,
            studio=studio.name,
            kind=t(SPECS[entry.kind].message("noun")),
            number=entry.id,
            title=entry.title,
            version=entry.version,
        )
        button = ctx.button(t("ledger.open"), LedgerPress(LedgerAction.OPEN, entry.id))
        return Reply(text=text, buttons=((button,),))

    for lead in await audience.studio_leads(ctx, studio):
        if lead.id != ctx.person.id:
            await ctx.notify(lead, message, key=f"entry:lead:{entry.id}:v{entry.version}:{lead.id}")
