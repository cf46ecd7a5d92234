"""A WeCom callback's envelope: the handshake's echo, the encrypted message opened, the passive reply sealed."""

from __future__ import annotations

from typing import Any

from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidSignatureException

from bot.channels.wxbase.crypto import WeComCrypto
from bot.channels.wxbase.text import cdata_safe, split_text
from bot.http import xmlsafe
from handlers.core.types import Reply


def passive_text(corp_id: str, user: str, agent_id: str, text: str) -> str:
    """The XML of a passive text reply to a WeCom member (wechatpy renders it)."""
    agent = int(agent_id) if agent_id.isdigit() else 0
    return str(TextReply(source=corp_id, target=user, content=cdata_safe(text), agent=agent).render())


def split_passive(replies: list[Reply]) -> tuple[str, list[Reply]]:
    """The passive reply (a plain first reply's first piece) and what goes by the API after it."""
    rest = list(replies)
    if not rest or rest[0].all_buttons() or rest[0].files:
        return "", rest
    pieces = split_text(rest[0].text)
    return pieces[0], [Reply(text=p) for p in pieces[1:]] + rest[1:]


def echo_of(crypto: WeComCrypto, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
    """The handshake's echostr decrypted; InvalidSignatureException if unsigned, BadXml if our key cannot open it."""
    try:
        echo = crypto.check_signature(signature, timestamp, nonce, echostr)
    except InvalidSignatureException:
        raise
    except Exception as exc:  # signed, but not something our key decrypts
        raise xmlsafe.BadXml(f"cannot decrypt echostr ({type(exc).__name__})") from None
    return echo if isinstance(echo, str) else bytes(echo).decode()


def open_message(crypto: WeComCrypto, body: bytes, signature: str, timestamp: str, nonce: str) -> dict[str, Any]:
    """The encrypted message of a POST, decrypted and parsed; InvalidSignatureException or BadXml otherwise."""
    outer = xmlsafe.parse(body)
    if "Encrypt" not in outer:
        raise xmlsafe.BadXml("no Encrypt element")
    try:
        plain = crypto.decrypt_message({"Encrypt": outer["Encrypt"]}, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise
    except Exception as exc:  # wrong key, bad padding, another corp's message
        raise xmlsafe.BadXml(f"cannot decrypt ({type(exc).__name__})") from None
    return xmlsafe.parse(plain)
