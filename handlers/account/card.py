"""名片 /card: who the speaker is here — their roles, and the named studios they belong to (第八条)."""

from __future__ import annotations

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from storage.models import Studio, Union
from storage.repos.named_members import named_studios_of

router = Router(__name__)


@router.command("card", "名片", "我的信息", help_key="roles.card.help", order=790)
async def card_command(ctx: Context, args: str) -> list[Reply]:
    """The speaker's card: name, grade, enterprise, each role, and the named studios that give them priority."""
    person = ctx.person
    assert person is not None
    facts = "，".join(f for f in (person.grade or "", person.enterprise) if f)
    lines = [ctx.t("roles.card.title", name=person.name, facts=f"（{facts}）" if facts else "")]
    for role in ctx.roles:
        studio = await ctx.session.get(Studio, role.studio_id) if role.studio_id else None
        union = await ctx.session.get(Union, role.union_id) if role.union_id else None
        where = studio.name if studio else union.name if union else ""
        lines.append(ctx.t("roles.card.role", role=ctx.t(f"binding.role.{role.kind.value}"), where=where))
    named = await named_studios_of(session=ctx.session, person_id=person.id)
    for named_studio, _ in named:
        lines.append(ctx.t("roles.card.named", studio=named_studio.name, named_on=named_studio.named_on or ""))
    lines.append(ctx.t("roles.card.priority") if named else ctx.t("roles.card.not_named"))
    return [Reply(text="\n".join(lines))]
