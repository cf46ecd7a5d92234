"""The public pages: the 公示 now running and the studios named in a year, with only what a notice publishes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from storage.base import utcnow
from storage.models import Application, ApplicationStage
from tests.web_support import browser, web_world


async def test_public_notices_show_what_a_notice_publishes_and_nothing_more(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        today = utcnow().astimezone(ww.runtime.config.tz).date()
        async with ww.sessions() as s, s.begin():
            for studio, stage, ends in (
                (ww.world.studio, ApplicationStage.PUBLIC_NOTICE, today + timedelta(days=3)),
                (ww.other_studio, ApplicationStage.PUBLIC_NOTICE, today - timedelta(days=1)),  # ended yesterday
            ):
                s.add(
                    Application(
                        studio_id=studio.id,
                        applicant_id=ww.world.lead.id,
                        year=today.year,
                        stage=stage,
                        notice_starts_on=today - timedelta(days=4),
                        notice_ends_on=ends,
                    )
                )
        http = browser(ww.runtime)
        page = await http.get("/public/notices")
        assert page.status_code == 200
        text = page.text
        for shown in (
            "张工数控创新工作室",
            "上海机床厂",
            "张工",
            "浦东新区总工会",
            (today + timedelta(days=3)).isoformat(),
            "异议",
        ):
            assert shown in text, shown
        assert "徐汇电气创新工作室" not in text
        assert "13900000000" not in text and "数控车床刀具寿命攻关讨论" not in text  # no phones, no ledgers
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        english = await http.get("/public/notices?lang=en")
        assert "How to raise an objection" in english.text and 'href="/public/notices?lang=zh"' in english.text
        browser_says = await http.get("/public/notices", headers={"accept-language": "en-GB,en;q=0.9"})
        assert "How to raise an objection" in browser_says.text


async def test_the_studios_named_in_a_year(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = browser(ww.runtime)
        named_2025 = await http.get("/public/named/2025")
        assert named_2025.status_code == 200
        assert "张工数控创新工作室" in named_2025.text and "徐汇电气创新工作室" not in named_2025.text
        assert "2025-01-01" in named_2025.text and "13900000000" not in named_2025.text
        assert "徐汇电气创新工作室" in (await http.get("/public/named/2024")).text
        assert "没有命名的工作室" in (await http.get("/public/named/2016")).text
        for bad in ("1999", "3000", "20x5", "99999"):
            assert (await http.get(f"/public/named/{bad}")).status_code == 404, bad
        assert not re.search(r"<script", named_2025.text)
