"""No secret reaches a log line in any spelling: the bot token on file downloads, WeChat's and WeCom's secrets and
access tokens, and whatever a library nobody listed logs through the handler `studio-bot serve` sets up."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest

from bot import logsafe
from tests.support.fake_telegram import document_update
from tests.support.fake_wechat import APP_SECRET, CORP_SECRET
from tests.support.logs import leaks, serve_logging, spellings
from tests.support.telegram_world import LEAD_TG, TelegramHarness, seed, telegram_world
from tests.support.wechat_world import OA_TOKEN, WECOM_TOKEN, wechat_world

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
SECRET = "s3cr:et/value+with=signs and space"


async def send_files(tg: TelegramHarness) -> list[str]:
    """A bound lead sends a photo and a document; the token's spellings to look for."""
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")  # files are fetched only for a record that takes them
    await tg.photo(LEAD_TG, PHOTO)
    document = tg.fake.add_file(b"%PDF-1.4 plan", path="documents/plan.pdf")
    update = document_update(
        tg.fake.next_update_id(), LEAD_TG, document, file_name="plan.pdf", mime_type="application/pdf"
    )
    await tg.deliver(update)
    await tg.channel.drain()
    assert len(tg.fake.sent("getFile")) == 2
    token = tg.fake.token
    return [token, token.partition(":")[2]]


async def test_file_downloads_log_no_url_and_no_token_as_serve_logs(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_logging() as served:
        caplog.set_level(logging.DEBUG)
        async with telegram_world(db_url, tmp_path, "polling") as tg:
            secrets = await send_files(tg)

    assert "getFile" in caplog.text  # PTB logged its calls …
    assert [r.getMessage() for r in caplog.records if r.name == "httpx" and r.levelno < logging.WARNING] == []
    assert " httpx: " not in served.getvalue()  # … and httpx logged no request URL
    assert leaks(secrets, caplog, served) == []


async def test_a_download_url_logged_by_httpx_is_masked_in_every_encoding(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_logging() as served:
        caplog.set_level(logging.DEBUG)
        logging.getLogger("httpx").setLevel(logging.DEBUG)  # someone debugging turns httpx up again
        async with telegram_world(db_url, tmp_path, "webhook") as tg:
            secrets = await send_files(tg)

    # httpx logged the downloads, the token percent-encoded in the path, and the filter masked it
    assert "/file/bot<redacted>/photos/" in served.getvalue()
    assert "/file/bot<redacted>/documents/" in caplog.text
    assert leaks(secrets, caplog, served) == []


def test_a_logger_nobody_listed_is_masked_by_the_handler_serve_sets_up(caplog: pytest.LogCaptureFixture) -> None:
    logsafe.remember(SECRET)
    with serve_logging() as served:
        caplog.set_level(logging.INFO)
        library = logging.getLogger("some.library.nobody.listed")
        for spelling in spellings(SECRET):
            library.info("GET https://api.example.test/v1?key=%s", spelling)
        try:
            raise RuntimeError(f"refused https://api.example.test/{quote(SECRET, safe='')}/x")
        except RuntimeError:
            library.exception("call failed")

    assert served.getvalue().count("<redacted>") == len(spellings(SECRET)) + 1
    assert leaks([SECRET], caplog, served) == []


def test_a_record_is_masked_as_logged_not_as_its_arguments_later_became(caplog: pytest.LogCaptureFixture) -> None:
    logsafe.install(SECRET)
    result = {"file_path": "photos/file_1.jpg"}
    with serve_logging() as served:
        caplog.set_level(logging.DEBUG)
        logging.getLogger("telegram.ext.ExtBot").debug("getFile returned %s", result)
        result["file_path"] = f"https://api.telegram.org/file/bot{SECRET}/photos/file_1.jpg"  # as PTB does

    assert leaks([SECRET], caplog, served) == []


async def test_wechat_and_wecom_secrets_and_access_tokens_never_reach_the_logs(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_logging() as served:
        caplog.set_level(logging.DEBUG)
        async with wechat_world(db_url, tmp_path) as world:
            world.fake.token_suffix = ":a/b+c="  # tokens whose encoded spellings differ from the raw one
            oa = world.oa_platform
            await oa.text("oLEAD-openid-0001", f"绑定 {world.seeded.lead_code}")
            await oa.text("oLEAD-openid-0001", "记录活动")  # a msgmenu: an API call with the access token
            await world.settle()
            world.fake.revoke_tokens()  # refused with 40001: a new token is fetched with the app secret
            await world.wecom_platform.text("member1", f"绑定 {world.seeded.reviewer_code}")
            await world.wecom_platform.text("member1", "记录活动")
            await world.settle()
            settings = world.runtime.settings
            aes = [settings.wechat_aes_key, settings.wecom_aes_key]
            secrets = [APP_SECRET, CORP_SECRET, OA_TOKEN, WECOM_TOKEN, *world.fake.tokens_issued]
            secrets += [key.get_secret_value() for key in aes if key is not None]

    assert any(":a/b+c=" in token for token in world.fake.tokens_issued)
    assert "access_token=<redacted>" in served.getvalue()  # urllib3 logged the API calls, masked
    assert leaks(secrets, caplog, served) == []
