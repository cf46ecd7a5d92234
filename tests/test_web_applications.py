"""The association's page of the year's applications (issue 18, with issue 17 item 5): ranked, scoped to the
association (404 for everyone else), in the real browser on a desktop and at a phone's size."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.http.app import create_app
from storage.base import utcnow
from storage.models import Application, ApplicationStage, AuditLog, Decision, ExpertScore, ReviewDecision
from storage.repos import naming
from tests.support.fake_telegram import serving
from tests.test_web_browser import CHROMEDRIVER, CHROMIUM, _driver
from tests.web_support import BASE, WebWorld, browser, csrf_of, new_link, signed_in, web_world


async def _year(ww: WebWorld) -> int:
    """Two applications of this year: 张工's evaluated (85.0), 徐汇's on notice, ended, 92.0; and a draft."""
    today = utcnow().astimezone(ww.runtime.config.tz).date()
    now = utcnow()
    async with ww.sessions() as s, s.begin():
        ours = Application(
            studio_id=ww.world.studio.id,
            applicant_id=ww.world.lead.id,
            year=today.year,
            stage=ApplicationStage.EVALUATED,
            data={"venue": "二号车间", "equipment": "车床", "outcomes": []},
            submitted_at=now,
        )
        theirs = Application(
            studio_id=ww.other_studio.id,
            applicant_id=ww.people["other_lead"].id,
            year=today.year,
            stage=ApplicationStage.PUBLIC_NOTICE,
            notice_starts_on=today - timedelta(days=8),
            notice_ends_on=today - timedelta(days=1),
            submitted_at=now,
        )
        draft = Application(
            studio_id=ww.world.studio.id, applicant_id=ww.world.lead.id, year=today.year, stage=ApplicationStage.DRAFT
        )
        s.add_all([ours, theirs, draft])
        await s.flush()
        for app, reviewer, opinion in (
            (ours, ww.world.reviewer, "同意推荐张工工作室"),
            (theirs, ww.other_reviewer, "徐汇区同意推荐"),
        ):
            assert reviewer is not None
            s.add(
                ReviewDecision(
                    application_id=app.id,
                    stage="submitted",
                    decision=Decision.RECOMMEND,
                    reviewer_id=reviewer.id,
                    channel="test",
                    reason=opinion,
                )
            )
        for app, expert, total in ((ours, ww.expert, 80), (ours, ww.association, 90), (theirs, ww.expert, 92)):
            s.add(ExpertScore(application_id=app.id, expert_id=expert.id, scores={}, total=Decimal(total)))
    return today.year


@pytest.mark.parametrize("who", ["association", "reviewer", "lead", "admin", "expert", "other_reviewer"])
async def test_only_the_association_sees_the_years_applications(db_url: str, tmp_path: Path, who: str) -> None:
    async with web_world(db_url, tmp_path) as ww:
        year = await _year(ww)
        http = await signed_in(ww, who)
        page = await http.get("/web/applications")
        home = await http.get("/web/")
        if who != "association":
            assert page.status_code == 404 and "徐汇区同意推荐" not in page.text
            assert "/web/applications" not in home.text
            return
        assert page.status_code == 200 and "/web/applications" in home.text
        assert f"{year} 年度申报" in page.text and "其中 1 份公示期满、可以命名" in page.text
        rows = re.findall(r'<tr id="application-(\d+)">(.*?)</tr>', page.text, re.S)
        assert [number for number, _ in rows] == ["2", "1"]  # 择优: 92.0 before 85.0; the draft is not listed
        first, second = (re.sub(r"<[^>]+>|\s+", " ", cells) for _, cells in rows)
        assert "徐汇电气创新工作室" in first and "徐汇区总工会" in first and "公示中" in first
        assert "平均 92.0 分（1 份）" in first and "徐汇区同意推荐" in first and "是" in first
        assert "张工数控创新工作室" in second and "浦东新区总工会" in second and "评审完成，待公示" in second
        assert "不符合（创新成果、群众性创新活动）" in second and "平均 85.0 分（2 份）" in second
        assert "同意推荐张工工作室" in second
        other = await http.get(f"/web/applications?year={year - 1}")
        assert other.status_code == 200 and "还没有提交的申报" in other.text
        assert (await http.get("/web/applications?year=1999")).status_code == 404
        english = await http.get("/web/applications?year=abc")
        assert english.status_code == 200  # an unreadable year is this year
        stranger = browser(ww.runtime)
        refused = await stranger.get("/web/applications")
        assert refused.status_code == 303 and refused.headers["location"] == "/web/signin"


def _walk(base: str, link: str, phone: bool) -> dict[str, Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _driver(phone)
    wait = WebDriverWait(driver, 15)
    try:
        driver.get(link)
        driver.find_element(By.ID, "sign-in").click()
        wait.until(until.url_to_be(f"{base}/web/"))
        driver.find_element(By.LINK_TEXT, "年度申报").click()
        wait.until(until.presence_of_element_located((By.ID, "applications")))
        rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#applications tbody tr")]
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        driver.find_element(By.CSS_SELECTOR, "input[name=app-2]").click()
        driver.find_element(By.ID, "name-batch").click()
        flash = wait.until(until.presence_of_element_located((By.ID, "flash"))).text
        errors = [
            e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")
        ]
        return {"rows": rows, "overflow": overflow, "errors": errors, "flash": flash}
    finally:
        driver.quit()


@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="no chromium; scripts/system-deps.sh")
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
async def test_the_association_opens_the_year_in_a_real_browser(db_url: str, tmp_path: Path, phone: bool) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await _year(ww)
        link = await new_link(ww.runtime, ww.association)
        async with serving(create_app(ww.runtime)) as base:
            seen = await asyncio.to_thread(_walk, base, link.replace(BASE, base), phone)
    assert len(seen["rows"]) == 2 and "徐汇电气创新工作室" in seen["rows"][0] and "92.0" in seen["rows"][0]
    assert seen["overflow"] <= 0 and seen["errors"] == []
    assert "已命名 1 个工作室" in seen["flash"] and "1. 徐汇电气创新工作室" in seen["flash"]


async def test_the_public_named_page_follows_the_naming_list(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        year = await _year(ww)
        today = utcnow().astimezone(ww.runtime.config.tz).date()
        async with ww.sessions() as s, s.begin():
            for app_id, studio, name, lead in (
                (2, ww.other_studio, "徐汇电气创新工作室", "徐领衔"),
                (1, ww.world.studio, "张工数控创新工作室", "张工"),
            ):
                await naming.add_named(
                    session=s,
                    year=year,
                    application_id=app_id,
                    studio_id=studio.id,
                    studio_name=name,
                    enterprise=studio.enterprise,
                    lead_name=lead,
                    union_name="区总工会",
                    named_on=today,
                    named_by_id=ww.association.id,
                )
        page = await browser(ww.runtime).get(f"/public/named/{year}")
        cells = [re.sub(r"<[^>]+>|\s+", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)[1:]]
        assert cells[0].split()[:2] == ["1", "徐汇电气创新工作室"] and cells[1].split()[:2] == [
            "2",
            "张工数控创新工作室",
        ]
        assert "序号" in page.text and "13900000000" not in page.text


async def test_the_association_names_a_batch_from_the_page(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        year = await _year(ww)
        http = await signed_in(ww, "association")
        page = await http.get("/web/applications")
        assert 'name="app-2"' in page.text and 'name="app-1"' not in page.text  # only what may be named is offered
        form = {"year": str(year), "app-2": "1"}
        refused = await http.post("/web/applications/name", data=form)
        assert refused.status_code == 403
        token = csrf_of(page.text)
        empty = await http.post("/web/applications/name", data={"csrf": token, "year": str(year)})
        assert empty.status_code == 422 and "请先勾选要命名的工作室。" in empty.text
        forged = await http.post("/web/applications/name", data={**form, "csrf": token, "app-1": "1"})
        assert forged.status_code == 200
        flash = re.search(r'id="flash">(.*?)</p>', forged.text, re.S)
        assert flash is not None
        assert "已命名 1 个工作室" in flash.group(1) and "1. 徐汇电气创新工作室" in flash.group(1)
        assert "未命名 #1" in flash.group(1)  # 张工's application is not on notice: refused, nothing done to it
        async with ww.sessions() as s:
            stages = dict((await s.execute(select(Application.id, Application.stage))).all())
            listed = await naming.naming_list(s, year)
            batch = await s.scalar(select(AuditLog).where(AuditLog.object_type == "batch"))
        assert stages[2] is ApplicationStage.NAMED and stages[1] is ApplicationStage.EVALUATED
        assert [(r.sequence, r.studio_name) for r in listed] == [(1, "徐汇电气创新工作室")]
        assert batch is not None and batch.channel == "web" and batch.actor_id == ww.association.id
        again = await http.post("/web/applications/name", data={**form, "csrf": token})
        assert again.status_code == 409 and "已由 市协审核" in again.text

        reviewer = await signed_in(ww, "reviewer")
        other = await reviewer.get("/web/")
        denied = await reviewer.post("/web/applications/name", data={**form, "csrf": csrf_of(other.text)})
        assert denied.status_code == 404
