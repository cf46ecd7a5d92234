"""Documents in the console: each role is offered and given only its own, bad requests are told politely, audited."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import AuditLog, Person
from tests.documents_support import OPINION, docx_text, programme_year, sheet_rows
from tests.test_web_cli import invoke
from tests.web_support import browser, signed_in, web_world

# what each role may download: the world's form, 浦东's and 徐汇's summaries, the notice, the naming list
ALL = ("form", "pudong", "xuhui", "notice", "list")
ALLOWED = {
    "lead": {"form"},
    "member": set(),
    "reviewer": {"form", "pudong"},
    "admin": {"form", "pudong"},
    "association": {"form", "pudong", "xuhui", "notice", "list"},
    "other_reviewer": {"xuhui"},
    "expert": set(),
}
OFFERED_ON_OVERVIEW = {
    "reviewer": ["推荐汇总表（浦东新区总工会，XLSX）"],
    "admin": ["推荐汇总表（浦东新区总工会，XLSX）"],
    "other_reviewer": ["推荐汇总表（徐汇区总工会，XLSX）"],
    "association": ["公示（2026，DOCX）", "命名名单（2026，XLSX）", "命名名单（2026，DOCX）"],
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
async def test_each_role_is_offered_and_given_only_its_documents(db_url: str, tmp_path: Path, who: str) -> None:
    async with web_world(db_url, tmp_path) as ww:
        ours, _ = await programme_year(ww)
        http = await signed_in(ww, who)
        home = await http.get("/web/?year=2026")
        offered = OFFERED_ON_OVERVIEW.get(who, [])
        assert ('id="documents"' in home.text) is bool(offered)
        for text in offered:
            assert text in home.text, (who, text)
        if who not in ("association",):
            assert "公示（2026" not in home.text
        studio_page = await http.get(f"/web/studios/{ww.world.studio.id}")
        form_link = f"/web/documents/application-form?application={ours.id}&amp;format=docx"
        assert (form_link in studio_page.text) is ("form" in ALLOWED[who] and studio_page.status_code == 200)

        paths = {
            "form": f"/web/documents/application-form?application={ours.id}",
            "pudong": f"/web/documents/recommendation-summary?union={ww.world.district.id}&year=2026",
            "xuhui": f"/web/documents/recommendation-summary?union={ww.other_union.id}&year=2026",
            "notice": "/web/documents/notice?year=2026",
            "list": "/web/documents/naming-list?year=2025&format=docx",
        }
        for name in ALL:
            response = await http.get(paths[name])
            allowed = name in ALLOWED[who]
            assert response.status_code == (200 if allowed else 404), (who, name)
            if not allowed:
                assert "张工数控" not in response.text and OPINION not in response.text
        if "form" in ALLOWED[who]:
            form = await http.get(paths["form"])
            assert form.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.word")
            assert form.headers["content-disposition"].startswith("attachment;")
            assert "no-store" in form.headers["cache-control"]
            saved = tmp_path / "form.docx"
            saved.write_bytes(form.content)
            assert "张工数控创新工作室" in docx_text(saved) and OPINION in docx_text(saved)


async def test_downloads_are_audited_and_the_summary_reads_right(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        ours, _ = await programme_year(ww)
        http = await signed_in(ww, "reviewer")
        summary = await http.get(f"/web/documents/recommendation-summary?union={ww.world.district.id}&year=2026")
        assert summary.status_code == 200
        title, _, *rows = sheet_rows(io.BytesIO(summary.content))
        assert title[0] == "浦东新区总工会2026年度上海市技师创新工作室推荐汇总表"
        assert [r[1] for r in rows] == ["张工数控创新工作室"]
        await http.get(f"/web/documents/application-form?application={ours.id}")
        reviewer = ww.people["reviewer"]
        async with ww.sessions() as s:
            trail = list(
                await s.scalars(select(AuditLog).where(AuditLog.to_state == "downloaded").order_by(AuditLog.id))
            )
        assert [(a.object_type, a.object_id, a.channel, a.actor_id) for a in trail] == [
            ("union", ww.world.district.id, "web", reviewer.id),
            ("application", ours.id, "web", reviewer.id),
        ]
        assert trail[1].studio_id == ww.world.studio.id and trail[1].detail["document"] == "application-form"
        assert not list(tmp_path.joinpath("exports").glob("*"))  # nothing left behind on the server
        officer = await signed_in(ww, "association")
        assert (await officer.get("/web/documents/notice?year=2026")).status_code == 200

    shown = await asyncio.to_thread(invoke, db_url, "audit", "--json")
    texts = [r["text"] for r in json.loads(shown.output)["rows"] if r["to"] == "downloaded"]
    assert len(texts) == 3 and all("  web  " in text and text.endswith("下载文件") for text in texts)
    assert "周审核" in texts[0] and "浦东新区总工会" in texts[0]
    assert "市协审核" in texts[2] and "上海市职工技术协会" in texts[2]  # the year's lists are the association's


async def test_bad_requests_are_told_politely_and_strangers_sent_to_sign_in(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await programme_year(ww)
        stranger = browser(ww.runtime)
        assert (await stranger.get("/web/documents/notice?year=2026")).headers["location"] == "/web/signin"
        http = await signed_in(ww, "association")
        for path, said in (
            ("/web/documents/memo?year=2026", "没有这种文件：memo"),
            ("/web/documents/notice?year=abc", "notice 需要 2000–2099 之间的 --year 年度"),
            ("/web/documents/naming-list?year=2025&format=pdf", "naming-list 的格式只能是 xlsx|docx"),
        ):
            response = await http.get(path)
            assert response.status_code == 400 and said in response.text, path
        missing = await http.get("/web/documents/application-form?application=99999")
        assert missing.status_code == 404
        async with ww.sessions() as s:
            assert not list(await s.scalars(select(AuditLog).where(AuditLog.to_state == "downloaded")))


async def test_an_english_reader_gets_the_links_and_the_document_in_english(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await programme_year(ww)
        async with ww.sessions() as s, s.begin():
            officer = await s.get(Person, ww.people["association"].id)
            assert officer is not None
            officer.locale = "en"
        http = await signed_in(ww, "association")
        home = (await http.get("/web/?year=2026")).text
        assert "Public notice (2026, DOCX)" in home and "Naming list (2026, XLSX)" in home
        named = await http.get("/web/documents/naming-list?year=2025&format=xlsx")
        title, header, *rows = sheet_rows(io.BytesIO(named.content))
        assert title[0] == "Shanghai Technician Innovation Studios named in 2025"
        assert header[:2] == ["No.", "Studio"] and rows[0][1] == "张工数控创新工作室"
        refused = await http.get("/web/documents/notice?year=1999")
        assert refused.status_code == 400 and "needs --year between 2000 and 2099" in refused.text
