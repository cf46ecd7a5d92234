"""Hostile fields inside correctly signed WeChat and WeCom callbacks: answered as usual, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.wechat_world import wechat_world


@pytest.mark.parametrize("create_time", [253402300800, 10**12, 10**30])  # past 9999-12-31, far past, absurd
async def test_a_create_time_beyond_year_9999_is_ignored(
    db_url: str, tmp_path: Path, create_time: int, caplog: pytest.LogCaptureFixture
) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        with caplog.at_level(logging.WARNING):
            oa_xml = world.oa_platform.xml("oODD", "text", {"Content": "帮助"}, at=create_time)
            oa = await world.oa_platform.post(oa_xml)
            wecom = await world.wecom_platform.post(
                world.wecom_platform.xml("odd-user", "text", {"Content": "帮助"}, create_time=create_time)
            )
        assert oa.status == 200 and "绑定" in oa.text
        assert wecom.status == 200
        assert "Traceback" not in caplog.text and "Overflow" not in caplog.text and "out of range" not in caplog.text
