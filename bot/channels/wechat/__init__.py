"""The WeChat Official Account channel (wechatpy); shared pieces for WeCom live here too."""

from bot.channels.wechat.channel import WeChatChannel

__all__ = ["WeChatChannel"]
