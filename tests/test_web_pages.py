"""The console's pages for every role: what each person sees, what is hidden (404), and strangers sent to sign in."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.base import utcnow
from storage.models import Attachment
from tests.web_support import BASE, browser, signed_in, web_world

# who → (sees the world's studio, sees the other district's studio, is offered the pending queue's entry)
SCOPE = {
    "lead": (True, False, False),
    "member": (True, False, False),
    "reviewer": (True, False, True),
    "admin": (True, False, False),
    "association": (True, True, False),  # oversees every studio; the district reviews its own studios' entries
    "other_reviewer": (False, True, False),
    "expert": (False, False, False),
}


@pytest.mark.parametrize("who", sorted(SCOPE))
async def test_every_page_shows_each_role_only_its_scope(db_url: str, tmp_path: Path, who: str) -> None:
    sees_studio, sees_other, decides = SCOPE[who]
    async with web_world(db_url, tmp_path) as ww:
        media = tmp_path / "media"
        media.mkdir()
        photo = media / "evidence.jpg"
        photo.write_bytes(b"\xff\xd8 a photo")
        async with ww.sessions() as s, s.begin():
            row = Attachment(
                entry_id=ww.entry.id,
                entry_version=1,
                channel="test",
                file_ref="ref",
                stored_path=str(photo),
                filename="evidence.jpg",
                size=10,
                media_type="image/jpeg",
                sha256="0" * 64,
                created_at=utcnow(),
            )
            s.add(row)
        http = await signed_in(ww, who)
        home = await http.get("/web/")
        assert home.status_code == 200
        assert ("张工数控创新工作室" in home.text) is sees_studio
        assert ("徐汇电气创新工作室" in home.text) is sees_other

        for path, visible in (
            (f"/web/studios/{ww.world.studio.id}", sees_studio),
            (f"/web/entries/{ww.entry.id}", sees_studio),
            (f"/web/attachments/{row.id}", sees_studio),
            (f"/web/studios/{ww.other_studio.id}", sees_other),
            (f"/web/entries/{ww.other_entry.id}", sees_other),
            ("/web/studios/99999", False),
            ("/web/entries/abc", False),
        ):
            response = await http.get(path)
            assert response.status_code == (200 if visible else 404), (who, path)
            if not visible:  # the same answer as for what does not exist: no name, no title leaks
                assert (
                    "张工数控" not in response.text
                    and "徐汇电气" not in response.text
                    and "徐汇的活动" not in response.text
                )

        pending = await http.get("/web/pending")
        assert pending.status_code == 200
        assert (f'id="entry-{ww.entry.id}"' in pending.text) is decides
        assert f'id="entry-{ww.other_entry.id}"' not in pending.text or who == "other_reviewer"
        entry_page = await http.get(f"/web/entries/{ww.entry.id}")
        assert ('value="approve"' in entry_page.text) is decides


async def test_a_stranger_is_sent_to_sign_in_everywhere(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = browser(ww.runtime)
        for path in (
            "/web/",
            "/web/pending",
            f"/web/studios/{ww.world.studio.id}",
            f"/web/entries/{ww.entry.id}",
            "/web/attachments/1",
        ):
            response = await http.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/web/signin", path
        decided = await http.post(f"/web/entries/{ww.entry.id}/decide", data={"version": "1", "action": "approve"})
        assert decided.status_code == 303
        signin = await http.get("/web/signin")
        assert signin.status_code == 200 and "网页" in signin.text
        forged = browser(ww.runtime)
        forged.cookies.set("studio_session", "made-up", domain=BASE.removeprefix("https://"), path="/web")
        assert (await forged.get("/web/")).status_code == 303


async def test_the_overview_sorts_filters_and_charts_on_the_server(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "association")
        by_name = (await http.get("/web/?sort=name")).text
        assert by_name.index("张工数控创新工作室") < by_name.index("徐汇电气创新工作室")
        by_name_desc = (await http.get("/web/?sort=name&dir=desc")).text
        assert by_name_desc.index("徐汇电气创新工作室") < by_name_desc.index("张工数控创新工作室")
        filtered = (await http.get("/web/?q=徐汇")).text
        assert "徐汇电气创新工作室" in filtered and "/web/studios/" + str(ww.world.studio.id) not in filtered
        none = (await http.get("/web/?status=applying")).text
        assert "没有符合条件的工作室" in none
        junk = await http.get("/web/?sort=drop%20table&dir=sideways&status=nope")
        assert junk.status_code == 200
        page = (await http.get("/web/")).text
        assert "<svg viewBox=" in page and "近 12 个月各月活动数" in page and "月</text>" in page
        assert "<script" not in page and "style=" not in page


async def test_the_studio_page_filters_its_ledgers(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        from tests.web_support import add_entry

        await add_entry(
            ww.sessions,
            ww.world.studio,
            ww.world.lead,
            title="二月的交流",
            occurred_on=__import__("datetime").date(2026, 2, 10),
        )
        http = await signed_in(ww, "reviewer")
        base = f"/web/studios/{ww.world.studio.id}"
        everything = (await http.get(base)).text
        assert "二月的交流" in everything and "数控车床刀具寿命攻关讨论" in everything
        march = (await http.get(base + "?from=2026-03-01&to=2026-03-31")).text
        assert "二月的交流" not in march and "数控车床刀具寿命攻关讨论" in march
        assert "没有符合条件" in (await http.get(base + "?kind=outcome")).text
        assert "没有符合条件" in (await http.get(base + "?status=approved")).text
        assert "二月的交流" in (await http.get(base + "?status=submitted&kind=activity")).text


async def test_english_readers_get_english_pages(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        async with ww.sessions() as s, s.begin():
            person = await s.get(type(ww.people["reviewer"]), ww.people["reviewer"].id)
            assert person is not None
            person.locale = "en"
        http = await signed_in(ww, "reviewer")
        home = (await http.get("/web/")).text
        assert "Studios you may see" in home and "Activities per month" in home and '<html lang="en">' in home
        pending = (await http.get("/web/pending")).text
        assert "Approve" in pending or "approve" in pending
