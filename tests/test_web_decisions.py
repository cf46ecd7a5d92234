"""Deciding from the web console is the chat press: the same checks, decision row, audit row and notice to the lead."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from handlers.core.payloads import pack
from handlers.core.presses import ReviewAction, ReviewPress
from storage.models import AuditLog, EntryStatus, LedgerEntry, OutboxMessage, ReviewDecision
from tests.support import Transcript, make_bot
from tests.support.transcript import SECRET
from tests.web_support import add_entry, csrf_of, signed_in, web_world


async def _entry(ww, entry_id: int) -> LedgerEntry:
    async with ww.sessions() as s:
        found = await s.get(LedgerEntry, entry_id)
        assert found is not None
        return found


async def test_a_web_approval_leaves_the_same_trail_and_notice_as_a_chat_press(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        twin = await add_entry(ww.sessions, ww.world.studio, ww.world.lead)  # the same content, decided in chat
        chat = Transcript(make_bot(ww.sessions), user="rev")
        await chat.send_payload(pack(SECRET, ReviewPress(ReviewAction.APPROVE, twin.id, 1)))
        chat.expect("通过")

        http = await signed_in(ww, "reviewer")
        page = await http.get("/web/pending")
        assert f'id="entry-{ww.entry.id}"' in page.text and f'id="entry-{twin.id}"' not in page.text
        done = await http.post(
            f"/web/entries/{ww.entry.id}/decide",
            data={"csrf": csrf_of(page.text), "version": "1", "action": "approve", "back": "pending"},
        )
        assert done.status_code == 200 and 'id="flash"' in done.text and "已通过" in done.text
        assert f'id="entry-{ww.entry.id}"' not in done.text

        async with ww.sessions() as s:
            decisions = {d.entry_id: d for d in await s.scalars(select(ReviewDecision))}
            trail = {a.object_id: a for a in await s.scalars(select(AuditLog).where(AuditLog.to_state == "approved"))}
            notices = {m.idempotency_key: m for m in await s.scalars(select(OutboxMessage))}
        lead = ww.world.lead.id
        assert decisions[ww.entry.id].channel == "web" and decisions[twin.id].channel == "test"
        web_row, chat_row = trail[ww.entry.id], trail[twin.id]
        assert web_row.channel == "web" and chat_row.channel == "test"
        same = ("actor_id", "from_state", "to_state", "version", "studio_id", "detail", "reason")
        assert {k: getattr(web_row, k) for k in same} == {k: getattr(chat_row, k) for k in same}
        told_web = notices[f"rv:done:{ww.entry.id}:v1:{lead}"]
        told_chat = notices[f"rv:done:{twin.id}:v1:{lead}"]
        assert told_web.payload["text"] == told_chat.payload["text"]  # same entry content: the very same message
        assert "周审核" in told_web.payload["text"]
        assert (await _entry(ww, ww.entry.id)).status is EntryStatus.APPROVED

        again = await http.post(
            f"/web/entries/{ww.entry.id}/decide",
            data={"csrf": csrf_of(page.text), "version": "1", "action": "reject", "reason": "重复提交"},
        )
        assert again.status_code == 409 and "您已于" in again.text  # decided: nothing changes twice


async def test_returning_needs_a_reason_and_tells_the_lead_why(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        page = await http.get(f"/web/entries/{ww.entry.id}")
        token = csrf_of(page.text)
        url = f"/web/entries/{ww.entry.id}/decide"
        short = await http.post(url, data={"csrf": token, "version": "1", "action": "return", "back": "entry"})
        assert short.status_code == 422 and (await _entry(ww, ww.entry.id)).status is EntryStatus.SUBMITTED
        done = await http.post(
            url, data={"csrf": token, "version": "1", "action": "return", "reason": "请补充现场照片", "back": "entry"}
        )
        assert done.status_code == 200 and "请补充现场照片" in done.text
        assert (await _entry(ww, ww.entry.id)).status is EntryStatus.RETURNED
        async with ww.sessions() as s:
            told = await s.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key == f"rv:done:{ww.entry.id}:v1:{ww.world.lead.id}"
                )
            )
            row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "returned"))
        assert told is not None and "请补充现场照片" in told.payload["text"]
        assert row is not None and row.channel == "web" and row.reason == "请补充现场照片"


async def test_forms_without_the_csrf_token_change_nothing(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        other = await signed_in(ww, "admin")  # somebody else's token is not this session's
        theirs = csrf_of((await other.get("/web/")).text)
        url = f"/web/entries/{ww.entry.id}/decide"
        for data in (
            {"version": "1", "action": "approve"},
            {"csrf": theirs, "version": "1", "action": "approve"},
            {"csrf": "", "version": "1", "action": "approve"},
        ):
            refused = await http.post(url, data=data)
            assert refused.status_code == 403 and "操作未执行" in refused.text
        assert (await _entry(ww, ww.entry.id)).status is EntryStatus.SUBMITTED


async def test_nobody_outside_the_table_decides_from_the_web(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        for who, status in (("lead", 409), ("admin", 409), ("association", 409), ("other_reviewer", 404)):
            http = await signed_in(ww, who)
            token = csrf_of((await http.get("/web/")).text)
            response = await http.post(
                f"/web/entries/{ww.entry.id}/decide", data={"csrf": token, "version": "1", "action": "approve"}
            )
            assert response.status_code == status, who
        assert (await _entry(ww, ww.entry.id)).status is EntryStatus.SUBMITTED
        async with ww.sessions() as s:
            assert list(await s.scalars(select(ReviewDecision))) == []
