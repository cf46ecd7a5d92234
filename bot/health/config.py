"""The configuration checks: channel settings complete, links possible, the secret strong, folders writable."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import chinese_calendar

from bot.channels.base import ChannelConfigError
from bot.channels.wxbase.api import aes_key_ok
from bot.settings import PLACEHOLDER_SECRET, Settings
from handlers.health.findings import Finding, stall, warn

MIN_SECRET = 16
MIN_DISTINCT = 8  # "aaaaaaaaaaaaaaaa" is long enough and no secret


def _set(value: object) -> bool:
    if value is None:
        return False
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    return bool(str(raw).strip())


def check_settings(settings: Settings, *, today: date) -> list[Finding]:
    """Every configuration finding (no network, no database)."""
    return [*_channels(settings), *_links(settings), *_secret(settings), *_folders(settings), *_calendar(today)]


def _missing(settings: Settings, names: tuple[str, ...]) -> list[str]:
    return [name.upper() for name in names if not _set(getattr(settings, name))]


def _channels(s: Settings) -> Iterator[Finding]:
    wechat = ("wechat_app_id", "wechat_app_secret", "wechat_token")
    wecom = ("wecom_corp_id", "wecom_agent_id", "wecom_secret", "wecom_token", "wecom_aes_key")
    for channel, names in (("wechat", wechat), ("wecom", wecom)):
        missing = _missing(s, names)
        if missing and len(missing) < len(names):
            yield stall("channel.incomplete", channel, missing=", ".join(missing))
    for channel, name in (("wechat", "wechat_aes_key"), ("wecom", "wecom_aes_key")):
        value = getattr(s, name)
        if _set(value):
            try:
                aes_key_ok(name.upper(), value.get_secret_value())
            except ChannelConfigError:
                yield stall("channel.aes_key", channel, setting=name.upper())
    if s.wechat_on and not s.wechat_reminder_template_id.strip():
        yield stall("wechat.no_template", "wechat")
    if s.wechat_on and not _set(s.wechat_aes_key):
        yield warn("wechat.plaintext", "wechat")
    if s.telegram_on and s.telegram_webhook_url.strip():
        if not s.telegram_webhook_url.strip().startswith("https://"):
            yield stall("telegram.webhook_url", "telegram")
        if not _set(s.telegram_webhook_secret):
            yield stall("telegram.webhook_secret", "telegram")
    if not (s.wechat_on or s.wecom_on or s.telegram_on):
        yield stall("channel.none")


def _links(s: Settings) -> Iterator[Finding]:
    url = s.public_base_url.strip()
    if not url and (s.wechat_on or s.wecom_on or s.telegram_on):
        yield stall("public_base_url.missing", "PUBLIC_BASE_URL")
    elif url and not url.startswith("https://"):
        yield warn("public_base_url.not_https", "PUBLIC_BASE_URL")


def _secret(s: Settings) -> Iterator[Finding]:
    secret = s.secret_key.get_secret_value().strip()
    if secret == PLACEHOLDER_SECRET or len(secret) < MIN_SECRET or len(set(secret)) < MIN_DISTINCT:
        yield warn("secret.weak", "SECRET_KEY")


def writable(folder: Path) -> bool:
    """Whether files can be written in `folder`, or in the nearest existing folder above it (it would be made)."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def _folders(s: Settings) -> Iterator[Finding]:
    for name in ("media_dir", "export_dir"):
        folder: Path = getattr(s, name)
        if not writable(folder):
            yield stall("folder.not_writable", name.upper(), path=str(folder))


def calendar_covers(year: int) -> bool:
    """Whether chinese-calendar knows the holidays of `year` (it raises for a year not yet announced)."""
    try:
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def _calendar(today: date) -> Iterator[Finding]:
    if not calendar_covers(today.year + 1):
        yield warn("calendar.next_year", "chinese-calendar", year=today.year + 1)
