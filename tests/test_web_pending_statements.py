"""The web console's pending page shows each entry's revision (its kind, the earlier reason, every change) and its
files in the same number of statements however many entries wait."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx

from storage.models import LedgerEntry
from storage.repos import attachments, audit, ledgers
from tests.support.sql import statements
from tests.web_support import WebWorld, add_entry, csrf_of, signed_in, web_world

RESUBMITTED = "↩️ 退回后修改、重新提交的台账待复核（替换第1版）："
APPROVED_EDIT = "✏️ 已通过台账的修改待复核（复核期间，已通过的第1版仍然有效）："


async def _decided(ww: WebWorld, http: httpx.AsyncClient, title: str, action: str) -> LedgerEntry:
    """A new activity the reviewer decides from the web (退回 with a reason, or 通过)."""
    entry = await add_entry(ww.sessions, ww.world.studio, ww.world.lead, title=title)
    page = await http.get("/web/pending")
    data = {"csrf": csrf_of(page.text), "version": "1", "action": action, "reason": "请写明地点", "back": "pending"}
    assert (await http.post(f"/web/entries/{entry.id}/decide", data=data)).status_code == 200
    return entry


async def _edited(ww: WebWorld, entry: LedgerEntry, place: str, *, photo: bool) -> None:
    """The lead changes the place (and sends a photo with the new version) and submits it, as chat records it."""
    async with ww.sessions() as s, s.begin():
        found = await ledgers.get_entry(session=s, entry_id=entry.id)
        assert found is not None
        was = found.status.value
        edited = await ledgers.edit_entry(session=s, entry=found, editor_id=ww.world.lead.id, fields={"place": place})
        await audit.record(
            session=s,
            actor_id=ww.world.lead.id,
            channel="test",
            object_type="entry",
            object_id=entry.id,
            from_state=was,
            to_state="submitted",
            version=edited.version,
            studio_id=ww.world.studio.id,
            detail={"from_version": 1, "changed": ["place"]},
        )
        if photo:
            file = {
                "stored_path": f"/media/{entry.id}.jpg",
                "filename": f"现场{entry.id}.jpg",
                "media_type": "image/jpeg",
            }
            await attachments.add_attachment(
                session=s, file=file, uploaded_by_id=ww.world.lead.id, entry_id=entry.id, entry_version=edited.version
            )


async def _more(ww: WebWorld, http: httpx.AsyncClient, start: int, count: int) -> None:
    """`count` resubmissions after 退回 (each with a photo) and `count` edits of approved entries."""
    for n in range(start, start + count):
        await _edited(ww, await _decided(ww, http, f"退回{n}", "return"), f"{n}号车间", photo=True)
        await _edited(ww, await _decided(ww, http, f"通过{n}", "approve"), f"{n}号楼", photo=False)


def _items(page: str) -> dict[str, str]:
    """The text of each entry on the page, by its title."""
    blocks = re.findall(r'<li id="entry-\d+">(.*?)</li>', page, re.S)
    out = {}
    for block in blocks:
        text = html.unescape(re.sub(r"<[^>]+>", "\n", block))
        title = re.search(r"「(.+?)」", text)
        assert title is not None
        out[title.group(1)] = text
    return out


async def _page(ww: WebWorld, http: httpx.AsyncClient) -> tuple[dict[str, str], int]:
    with statements(ww.runtime.engine) as sent:
        page = await http.get("/web/pending")
    assert page.status_code == 200
    return _items(page.text), len(sent)


async def test_the_pending_page_costs_the_same_statements_for_two_and_ten_revised_entries(
    db_url: str, tmp_path: Path
) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        await _more(ww, http, 0, 1)
        await http.get("/web/pending")
        small, small_count = await _page(ww, http)
        assert len(small) == 3  # the world's first version, a resubmission, an edit of an approved entry

        await _more(ww, http, 1, 4)
        large, large_count = await _page(ww, http)
        assert len(large) == 11
        for n in range(5):
            resubmitted, edit = large[f"退回{n}"], large[f"通过{n}"]
            assert RESUBMITTED in resubmitted and "上次退回原因：请写明地点" in resubmitted
            assert f"· 地点：二号车间 → {n}号车间" in resubmitted and "· 附件：新增 1 个" in resubmitted
            assert re.search(r"📎\s*现场\d+\.jpg", resubmitted)  # the photo sent with the new version, listed
            assert APPROVED_EDIT in edit and f"· 地点：二号车间 → {n}号楼" in edit and "上次" not in edit
            assert "附件" not in edit
        first = next(text for title, text in large.items() if not title.startswith(("退回", "通过")))
        assert "替换" not in first and "改动" not in first
        assert large_count == small_count, (small_count, large_count)
