"""The WeCom (企业微信) self-built app channel (wechatpy.enterprise); what it shares with the OA is in wxbase."""

from __future__ import annotations

from bot.channels.base import Channel, ChannelEntry
from bot.channels.services import ChannelServices

CHANNEL = "wecom"


def build(services: ChannelServices) -> Channel:
    """The WeCom app adapter."""
    from bot.channels.wecom.channel import WeComChannel

    return WeComChannel(services)


ENTRY = ChannelEntry(CHANNEL, enabled=lambda settings: settings.wecom_on, build=build)
