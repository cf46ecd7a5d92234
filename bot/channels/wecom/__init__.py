"""The WeCom (企业微信) self-built app channel (wechatpy.enterprise)."""

from bot.channels.wecom.channel import WeComChannel

__all__ = ["WeComChannel"]
