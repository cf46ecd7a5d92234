"""The WeChat Official Account channel (wechatpy); what it shares with WeCom is in bot.channels.wxbase."""

from bot.channels.wechat.channel import WeChatChannel

__all__ = ["WeChatChannel"]
