"""The WeChat Official Account channel (wechatpy); what it shares with WeCom is in bot.channels.wxbase."""

from __future__ import annotations

from bot.channels.base import Channel, ChannelEntry
from bot.channels.services import ChannelServices

CHANNEL = "wechat"


def build(services: ChannelServices) -> Channel:
    """The Official Account adapter."""
    from bot.channels.wechat.channel import WeChatChannel

    return WeChatChannel(services)


ENTRY = ChannelEntry(CHANNEL, enabled=lambda settings: settings.wechat_on, build=build)
