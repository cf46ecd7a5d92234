"""网页 / web in chat: a one-time link that signs this person in to the web console."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.web.signin import LINK_WINDOW, NoBaseUrl, issue_link

router = Router(__name__)


@router.command("web", "网页", help_key="web.help.web", order=80)
async def web_command(ctx: Context, args: str) -> list[Reply]:
    """Send the speaker a sign-in link (signed, single use, valid a few minutes)."""
    assert ctx.person is not None
    try:
        url = await issue_link(ctx.session, ctx.config, ctx.person.id, now=ctx.now)
    except NoBaseUrl:
        return [Reply(text=ctx.t("web.link.no_base"))]
    if url is None:
        return [Reply(text=ctx.t("web.link.too_many", minutes=int(LINK_WINDOW.total_seconds() // 60)))]
    return [Reply(text=ctx.t("web.link.sent", url=url, minutes=ctx.config.web_link_ttl_minutes))]
