"""记录成果: the innovation-outcome ledger (创新成果台账, 第七条) as a flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.core.types import Reply
from handlers.engine import words
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Step, Values
from handlers.engine.router import Router
from handlers.ledgers import fields as common
from handlers.ledgers import studio_choice as studios
from handlers.ledgers.entries import save_entry
from storage.models import LedgerKind

router = Router(__name__)
KIND = LedgerKind.OUTCOME

# 五小 and the other categories of 第四条, stored by their Chinese name.
CATEGORIES = ("小发明", "小创造", "小革新", "小设计", "小建议", "合理化建议", "技术改进", "技术攻关", "专利", "其他")
# The eligibility check of 第三条 looks for the first scheme by this exact name.
MUNICIPAL_SCHEME = "上海职工(技师)创新项目资助"
SCHEMES = (MUNICIPAL_SCHEME, "区/局(产业)工会资助", "企业自筹", "其他")
PATENT_KINDS = ("发明", "实用新型", "外观设计")
NO_PATENT = "无"
PATENT_STATUSES = ("申请中", "已受理", "已授权", "已失效")


def _catalogued(prefix: str, names: Sequence[str]) -> Any:
    async def provide(ctx: Context, values: Values) -> Sequence[Choice]:
        # "没有" (or "no") answers "which patent?" as 无 does, rather than meaning "skip"
        return [Choice(name, ctx.t(f"{prefix}.{name}"), words.NO if name == NO_PATENT else ()) for name in names]

    return provide


def _has_patent(values: Values) -> bool:
    return values.get("patent_kind") not in (None, NO_PATENT)


STEPS = (
    studios.studio_step(),
    common.text_step(KIND, "title", "outcome.ask.title", "outcome.label.title"),
    Step("category", "outcome.ask.category", "outcome.label.category", choices=_catalogued("outcome.cat", CATEGORIES)),
    Step("team", "outcome.ask.team", "outcome.label.team", choices=studios.studio_members, multi=True, names=True),
    Step(
        "applied",
        "outcome.ask.applied",
        "outcome.label.applied",
        parse=common.parse_yes_no_value,
        choices=common.yes_no,
    ),
    Step(
        "applied_since",
        "outcome.ask.applied_since",
        "outcome.label.applied_since",
        parse=common.parse_past_date,
        show=common.show_date,
        when=lambda v: v.get("applied") is True,
    ),
    Step(
        "funding_amount",
        "outcome.ask.funding_amount",
        "outcome.label.funding_amount",
        parse=common.parse_yuan_value,
        optional=True,
        show=common.show_yuan,
    ),
    common.text_step(
        KIND,
        "funding_scheme",
        "outcome.ask.funding_scheme",
        "outcome.label.funding_scheme",
        choices=_catalogued("outcome.scheme", SCHEMES),
        when=lambda v: v.get("funding_amount") is not None,
    ),
    Step(
        "patent_kind",
        "outcome.ask.patent_kind",
        "outcome.label.patent_kind",
        choices=_catalogued("outcome.patent", (*PATENT_KINDS, NO_PATENT)),
    ),
    common.text_step(
        KIND,
        "patent_number",
        "outcome.ask.patent_number",
        "outcome.label.patent_number",
        optional=True,
        when=_has_patent,
    ),
    common.text_step(
        KIND,
        "patent_status",
        "outcome.ask.patent_status",
        "outcome.label.patent_status",
        choices=_catalogued("outcome.patent_status", PATENT_STATUSES),
        when=_has_patent,
    ),
    Step(
        "benefit_wan",
        "outcome.ask.benefit",
        "outcome.label.benefit",
        parse=common.parse_wan_value,
        optional=True,
        show=common.show_wan,
    ),
    common.text_step(KIND, "awards", "outcome.ask.awards", "outcome.label.awards", optional=True),
    Step("files", "outcome.ask.files", "outcome.label.files", files=True, optional=True),
)


def fields_of(values: Values, today: date) -> dict[str, Any]:
    """The stored fields of an outcome version; answers of steps not asked are not stored."""
    applied = values["applied"] is True
    funded = values.get("funding_amount") is not None
    patent = _has_patent(values)
    return {
        "title": values["title"],
        "category": values["category"],
        "team": list(values.get("team") or []),
        "recorded_on": date.fromisoformat(values.get("_recorded_on") or today.isoformat()),
        "applied": applied,
        "applied_since": date.fromisoformat(values["applied_since"]) if applied else None,
        "funding_amount": Decimal(values["funding_amount"]) if funded else None,
        "funding_scheme": values.get("funding_scheme") if funded else None,
        "patent_kind": values["patent_kind"] if patent else None,
        "patent_number": values.get("patent_number") if patent else None,
        "patent_status": values.get("patent_status") if patent else None,
        "benefit_wan": Decimal(values["benefit_wan"]) if values.get("benefit_wan") is not None else None,
        "awards": values.get("awards") or "",
    }


def values_of(fields: Mapping[str, Any]) -> Values:
    """The flow's answers that reproduce a stored outcome version."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    values: Values = {
        "title": fields["title"],
        "category": fields["category"],
        "team": list(fields["team"] or []),
        "_recorded_on": fields["recorded_on"].isoformat(),
        "applied": bool(fields["applied"]),
        "funding_amount": text(fields["funding_amount"]),
        "patent_kind": fields["patent_kind"] or NO_PATENT,
        "benefit_wan": text(fields["benefit_wan"]),
        "awards": fields["awards"] or None,
        "files": [],
    }
    if fields["applied_since"] is not None:
        values["applied_since"] = fields["applied_since"].isoformat()
    if fields["funding_amount"] is not None:
        values["funding_scheme"] = fields["funding_scheme"]
    if fields["patent_kind"]:
        values["patent_number"] = fields["patent_number"]
        values["patent_status"] = fields["patent_status"]
    return values


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Write the outcome entry (or its new version) and tell the reviewers."""
    return await save_entry(ctx, values, LedgerKind.OUTCOME, fields_of(values, ctx.today))


OUTCOME = router.flow(
    Flow(name="outcome", title="outcome.title", steps=STEPS, submit=submit, prepare=studios.prepare_studio)
)
