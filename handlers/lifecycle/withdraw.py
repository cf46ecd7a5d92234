"""撤回申报: the lead takes back a submitted application until the district acts, or discards a kept draft."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.lifecycle import cards, moves, stages
from handlers.lifecycle.application_gate import led_studios
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import ApplicationStage, RoleKind
from storage.repos import applications

router = Router(__name__)

S = ApplicationStage


@router.command(
    "withdraw_application",
    "撤回申报",
    help_key="batch.help.withdraw",
    order=51,
    roles=frozenset({RoleKind.LEAD}),
)
async def withdraw_command(ctx: Context, args: str) -> list[Reply]:
    """Withdraw the studio's application while it waits for the district, or discard its draft."""
    studios = await led_studios(ctx)
    if not studios:
        return [Reply(text=checks.refusal(ctx, Action.APPLY))]
    replies: list[Reply] = []
    for studio in studios:
        app = await applications.latest_for_studio(
            session=ctx.session, studio_id=studio.id, stages={S.DRAFT, *applications.OPEN_STAGES}
        )
        if app is None:
            continue
        if app.stage is S.DRAFT:
            replies.append(await _discard(ctx, app.id, studio.id, studio.name))
        elif app.stage is S.SUBMITTED:
            replies.append((await stages.advance(ctx, app.id, moves.WITHDRAW))[0])
        else:
            stage = cards.stage(ctx.t, app.stage)
            replies.append(Reply(text=ctx.t("batch.withdraw.too_late", number=app.id, stage=stage)))
    return replies or [Reply(text=ctx.t("batch.withdraw.none"))]


async def _discard(ctx: Context, app_id: int, studio_id: int, studio: str) -> Reply:
    """A draft was never submitted: it is set aside (kept as withdrawn, as nothing is deleted), with its audit row."""
    if not await applications.move(
        session=ctx.session, application_id=app_id, expected=S.DRAFT, to=S.WITHDRAWN, now=ctx.now
    ):
        return Reply(text=ctx.t("batch.withdraw.none"))
    await ctx.audit(
        object_type="application",
        object_id=app_id,
        from_state=S.DRAFT.value,
        to_state=S.WITHDRAWN.value,
        studio_id=studio_id,
    )
    return Reply(text=ctx.t("batch.draft.discarded", number=app_id, studio=studio))
