"""Signed download links: the file while the link is valid; 403 when forged, tampered or expired; 404 when gone."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from handlers.core.config import HandlerConfig
from handlers.exports.links import LinkError, download_url, make_token, verify_token
from storage.base import utcnow
from storage.exports.files import new_export_dir, prune_exports

BASE = "https://bot.example.cn"


@pytest.fixture
async def runtime(db_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = load_settings(
        _env_file=None,
        database_url=db_url,
        export_dir=tmp_path / "exports",
        public_base_url=BASE,
        secret_key="a-test-secret-of-some-length",
        download_link_ttl_minutes=30,
    )
    rt = build_runtime(settings)
    yield rt
    await rt.close()


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def an_export(config: HandlerConfig) -> Path:
    path = new_export_dir(config.export_dir) / "王建国技师创新工作室-台账.xlsx"
    path.write_bytes(b"PK\x03\x04 pretend workbook")
    return path


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/download/")
    return url.removeprefix(BASE)


async def test_a_valid_link_serves_the_file(runtime: Runtime, http: httpx.AsyncClient) -> None:
    path = an_export(runtime.config)
    url = download_url(runtime.config, path, now=utcnow())
    assert url is not None
    response = await http.get(path_of(url))
    assert response.status_code == 200
    assert response.content == path.read_bytes()
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"


async def test_expired_forged_and_tampered_links_are_refused(runtime: Runtime, http: httpx.AsyncClient) -> None:
    config = runtime.config
    path = an_export(config)
    relative = path.resolve().relative_to(config.export_dir.resolve()).as_posix()
    old = download_url(config, path, now=utcnow() - timedelta(minutes=31))
    forged = make_token(b"another-secret", relative, expires_at=utcnow() + timedelta(minutes=5))
    good = path_of(download_url(config, path, now=utcnow()) or "")
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    escaping = make_token(config.secret_key, "../../etc/passwd", expires_at=utcnow() + timedelta(minutes=5))
    for target in (path_of(old or ""), f"/download/{forged}", tampered, f"/download/{escaping}", "/download/nonsense"):
        response = await http.get(target)
        assert response.status_code == 403, target
        assert "下载链接无效或已过期" in response.text and "expired" in response.text


async def test_a_pruned_file_is_404(runtime: Runtime, http: httpx.AsyncClient) -> None:
    path = an_export(runtime.config)
    url = download_url(runtime.config, path, now=utcnow()) or ""
    assert prune_exports(runtime.config.export_dir, older_than_seconds=0, now=path.stat().st_mtime + 1) == 1
    assert not path.exists()
    response = await http.get(path_of(url))
    assert response.status_code == 404


def test_tokens_round_trip_and_expire() -> None:
    now = utcnow()
    token = make_token(b"k", "ab/c.csv", expires_at=now + timedelta(minutes=1))
    assert verify_token(b"k", token, now=now) == "ab/c.csv"
    with pytest.raises(LinkError) as exc:
        verify_token(b"k", token, now=now + timedelta(minutes=2))
    assert exc.value.reason == "expired"
    with pytest.raises(LinkError) as exc:
        verify_token(b"other", token, now=now)
    assert exc.value.reason == "bad"


def test_no_public_address_no_link(tmp_path: Path) -> None:
    config = HandlerConfig(export_dir=tmp_path)
    assert download_url(config, tmp_path / "x.xlsx", now=utcnow()) is None


@pytest.mark.parametrize("relative", ["a\x00b.xlsx", "2026/\x00", "x\n.csv"])
async def test_a_signed_token_naming_a_nul_byte_is_refused_quietly(
    runtime: Runtime, http: httpx.AsyncClient, relative: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = make_token(runtime.config.secret_key, relative, expires_at=utcnow() + timedelta(minutes=5))
    with caplog.at_level(logging.DEBUG, logger="bot"):
        response = await http.get(f"/download/{token}")
    assert response.status_code == 403
    assert token not in caplog.text and "Traceback" not in caplog.text
