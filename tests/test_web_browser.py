"""The console in a real browser: Debian's chromium driven by Selenium, on a desktop and at a phone's size.

Sign in through a link, open the overview and a studio, approve from the pending queue and find the lead's
notice in the outbox, open the public notices. Skipped only where chromium cannot be had (no root, no apt).
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.http.app import create_app
from storage.base import utcnow
from storage.models import Application, ApplicationStage
from tests.documents_support import OPINION, docx_text, programme_year
from tests.support import Inbox
from tests.support.fake_telegram import serving
from tests.web_support import BASE, new_link, web_world

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="no /usr/bin/chromium or chromedriver; scripts/system-deps.sh installs them (needs root and apt)",
    ),
]
PHONE = {
    "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0},
    "userAgent": (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile "
        "Safari/537.36 MicroMessenger/8.0.47.2560 WeChat/arm64 NetType/WIFI Language/zh_CN"
    ),
}


def _driver(phone: bool, downloads: Path | None = None) -> Any:
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(flag)
    if downloads is not None:
        prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        options.add_experimental_option("prefs", prefs)
    if phone:
        options.add_experimental_option("mobileEmulation", PHONE)
    else:
        options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    return driver


def _walk(base: str, link: str, studio: str, entry_id: int, phone: bool) -> dict[str, Any]:
    """What a person does in the browser, step by step; returns what the test checks afterwards."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _driver(phone)
    wait = WebDriverWait(driver, 15)
    seen: dict[str, Any] = {}
    try:
        driver.get(link)
        driver.find_element(By.ID, "sign-in").click()
        wait.until(until.url_to_be(f"{base}/web/"))
        body = driver.find_element(By.TAG_NAME, "body").text
        assert studio in body and "周审核" in body
        assert driver.find_element(By.CSS_SELECTOR, "#chart-months svg rect") is not None
        seen["overflow"] = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        driver.find_element(By.LINK_TEXT, studio).click()
        wait.until(until.title_contains(studio))
        assert "数控车床刀具寿命攻关讨论" in driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.LINK_TEXT, "待审").click()
        wait.until(until.url_to_be(f"{base}/web/pending"))
        item = driver.find_element(By.ID, f"entry-{entry_id}")
        item.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        seen["flash"] = wait.until(until.presence_of_element_located((By.ID, "flash"))).text
        seen["still_listed"] = bool(driver.find_elements(By.ID, f"entry-{entry_id}"))
        driver.get(f"{base}/public/notices")
        seen["public"] = driver.find_element(By.TAG_NAME, "body").text
        seen["console_errors"] = [
            e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")
        ]
    finally:
        driver.quit()
    return seen


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
async def test_a_reviewer_signs_in_reviews_and_the_lead_is_told(db_url: str, tmp_path: Path, phone: bool) -> None:
    async with web_world(db_url, tmp_path) as ww:
        today = utcnow().astimezone(ww.runtime.config.tz).date()
        async with ww.sessions() as s, s.begin():
            s.add(
                Application(
                    studio_id=ww.other_studio.id,
                    applicant_id=ww.people["other_lead"].id,
                    year=today.year,
                    stage=ApplicationStage.PUBLIC_NOTICE,
                    notice_starts_on=today,
                    notice_ends_on=today + timedelta(days=6),
                )
            )
        link = await new_link(ww.runtime, ww.people["reviewer"])
        async with serving(create_app(ww.runtime)) as base:
            seen = await asyncio.to_thread(
                _walk, base, link.replace(BASE, base), ww.world.studio.name, ww.entry.id, phone
            )
        assert "已通过" in seen["flash"] and not seen["still_listed"]
        assert seen["overflow"] <= 0  # nothing wider than the screen: tables scroll inside their box
        assert "徐汇电气创新工作室" in seen["public"] and "异议" in seen["public"]
        assert seen["console_errors"] == []  # no CSP violation, no missing asset
        inbox = Inbox(ww.sessions)
        await inbox.deliver()
        told = inbox.texts("lead")
        assert any("已通过" in text and "周审核" in text for text in told), told


def _download_form(base: str, link: str, studio: str, downloads: Path) -> dict[str, Any]:
    """An officer on a phone opens the studio and taps its application form; what arrived in the download folder."""
    import time

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _driver(True, downloads)
    wait = WebDriverWait(driver, 15)
    seen: dict[str, Any] = {}
    try:
        driver.get(link)
        driver.find_element(By.ID, "sign-in").click()
        wait.until(until.url_to_be(f"{base}/web/"))
        driver.find_element(By.LINK_TEXT, studio).click()
        wait.until(until.title_contains(studio))
        seen["overflow"] = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        driver.find_element(By.CSS_SELECTOR, "#documents a").click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not list(downloads.glob("*.docx")):
            time.sleep(0.2)
        seen["files"] = sorted(downloads.glob("*.docx"))
    finally:
        driver.quit()
    return seen


async def test_an_officer_downloads_an_application_form_on_a_phone(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await programme_year(ww)
        link = await new_link(ww.runtime, ww.people["reviewer"])
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        async with serving(create_app(ww.runtime)) as base:
            seen = await asyncio.to_thread(
                _download_form, base, link.replace(BASE, base), ww.world.studio.name, downloads
            )
    assert seen["overflow"] <= 0
    assert [f.name for f in seen["files"]] == ["申报表-张工数控创新工作室-2026.docx"]
    text = docx_text(seen["files"][0])
    assert "上海市技师创新工作室申报表" in text and OPINION in text
