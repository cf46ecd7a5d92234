"""The channels `serve` can run, in the order it starts them: each package declares its own entry."""

from __future__ import annotations

from bot.channels import telegram, wechat, wecom
from bot.channels.base import ChannelEntry

CHANNELS: tuple[ChannelEntry, ...] = (wechat.ENTRY, wecom.ENTRY, telegram.ENTRY)
